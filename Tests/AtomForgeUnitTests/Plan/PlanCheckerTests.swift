import Foundation
import Testing

@testable import AtomForge

/// One test per class of bad plan: each asserts that the message names the problem (the id, the key, the path, the
/// cycle) and where it is, not only that the plan was refused.
@Suite("plan checker")
struct PlanCheckerTests {
    /// A valid two-atom plan to break in one place at a time.
    static let good = """
        plan: todo
        language: python
        atoms:
          - id: model
            name: Todo
            description: A dataclass.
            file: todo/models.py
            imports: ["from dataclasses import dataclass"]
            estimated_loc: 8
            tests: |
              assert Todo(1, "x").done is False
          - id: store
            name: TodoStore
            description: A store.
            file: todo/store.py
            depends_on: [model]
        """

    func errors(_ text: String) -> [String] {
        PlanChecker.check(text: text).errors.map(\.description)
    }

    @Test("a valid plan gives its levels and critical path")
    func valid() throws {
        let check = PlanChecker.check(text: Self.good)
        let plan = try #require(check.validPlan)
        #expect(plan.id == "todo")
        #expect(check.levels == [["model"], ["store"]])
        #expect(check.criticalPath == ["model", "store"])
        #expect(plan.atoms[0].imports == ["from dataclasses import dataclass"])
        #expect(plan.atoms[0].tests == "assert Todo(1, \"x\").done is False\n")
        #expect(plan.atoms[1].language.name == "python")
    }

    @Test("not YAML: the parser's message with line and column")
    func notYAML() {
        #expect(
            errors("plan: x\natoms: [\n  - {id: a\n") == [
                "3:3: error: not valid YAML or JSON: did not find expected node content (while parsing a flow node at 3:3)"
            ])
        #expect(
            errors("plan: x\n  bad indent: 1\n") == [
                "2:13: error: not valid YAML or JSON: mapping values are not allowed in this context"
            ])
    }

    @Test("an empty file")
    func emptyFile() {
        #expect(errors("")[0].contains("the plan file is empty"))
        #expect(errors("# only a comment\n")[0].contains("the plan file is empty"))
    }

    @Test("not a plan at all")
    func notAPlan() {
        #expect(
            errors("just some text")[0].contains(
                "expected a plan: a mapping with 'plan' and 'atoms', found 'just some text'"))
    }

    @Test("no atoms, and an empty atoms list")
    func noAtoms() {
        #expect(errors("plan: x\n")[0].contains("the plan has no 'atoms' list"))
        #expect(errors("plan: x\natoms: []\n") == ["2:8: error: 'atoms' is empty; add at least one atom"])
        #expect(errors("plan: x\natoms: lots\n")[0].contains("'atoms' must be a list of atoms, found 'lots'"))
    }

    @Test("an atom without id, name or description")
    func missingFields() {
        let found = errors("plan: x\nlanguage: python\natoms:\n  - name: A\n    description: d\n  - id: b\n")
        #expect(found.contains("4:5: error: atoms[0] has no 'id'"))
        #expect(found.contains("6:5: error: atom 'b' has no 'name'"))
        #expect(found.contains("6:5: error: atom 'b' has no 'description'"))
    }

    @Test("wrong types name the atom, the key and what was found")
    func wrongTypes() {
        let found = errors(
            Self.good.replacingOccurrences(of: "estimated_loc: 8", with: "estimated_loc: lots")
                .replacingOccurrences(of: "depends_on: [model]", with: "depends_on: model"))
        #expect(
            found.contains(
                "9:20: error: atom 'model': estimated_loc must be a whole number of lines from 1 to 100000 (an atom is a small unit), found 'lots'"
            ))
        #expect(found.contains("16:17: error: atom 'store': depends_on must be a list, e.g. [a, b], found 'model'"))
        // An estimate the size arithmetic could overflow on is refused before any of it runs.
        let huge = errors(
            Self.good.replacingOccurrences(of: "estimated_loc: 8", with: "estimated_loc: 9223372036854775807"))
        #expect(huge.contains { $0.contains("estimated_loc must be a whole number of lines from 1 to 100000") })
    }

    @Test("duplicate ids name the id and the first place")
    func duplicateIDs() {
        let text = Self.good.replacingOccurrences(of: "id: store", with: "id: model")
        #expect(errors(text).contains("12:5: error: duplicate atom id 'model' (first at 4:5)"))
    }

    @Test("an unknown dependency is named, with a guess")
    func unknownDependency() {
        let text = Self.good.replacingOccurrences(of: "depends_on: [model]", with: "depends_on: [modle]")
        #expect(errors(text) == ["12:5: error: atom 'store' depends on unknown atom 'modle' (did you mean 'model'?)"])
    }

    @Test("a self-dependency")
    func selfDependency() {
        let text = Self.good.replacingOccurrences(of: "depends_on: [model]", with: "depends_on: [store]")
        #expect(errors(text) == ["12:5: error: atom 'store' depends on itself"])
    }

    @Test("a cycle is printed whole")
    func cycle() {
        let text = """
            plan: loop
            language: python
            atoms:
              - {id: a, name: A, description: d, depends_on: [c]}
              - {id: b, name: B, description: d, depends_on: [a]}
              - {id: c, name: C, description: d, depends_on: [b]}
              - {id: d, name: D, description: d, depends_on: [a]}
            """
        let found = errors(text)
        #expect(found.count == 1)
        #expect(found[0].contains("dependency cycle: "))
        let cycle = found[0].components(separatedBy: "cycle: ")[1].components(separatedBy: " (")[0]
        #expect(["a → c → b → a", "c → b → a → c", "b → a → c → b"].contains(cycle))
    }

    @Test("a plan id that cannot name a folder")
    func badPlanID() {
        let found = errors(Self.good.replacingOccurrences(of: "plan: todo", with: "plan: my todo/list"))
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("1:7: error: plan id 'my todo/list' may use only A-Z a-z 0-9 . _ -"))
        #expect(
            errors(Self.good.replacingOccurrences(of: "plan: todo", with: "plan: _rejected"))[0].contains("reserved"))
        #expect(errors(Self.good.replacingOccurrences(of: "plan: todo", with: "plan: ..")).count == 1)
    }

    @Test("a file that is absolute or escapes the tree")
    func escapingFiles() {
        let absolute = errors(Self.good.replacingOccurrences(of: "file: todo/models.py", with: "file: /etc/passwd"))
        #expect(
            absolute == [
                "7:11: error: atom 'model': file '/etc/passwd' must be relative to the output tree, not absolute"
            ])
        let escaping = errors(Self.good.replacingOccurrences(of: "file: todo/store.py", with: "file: todo/../../x.py"))
        #expect(
            escaping == [
                "15:11: error: atom 'store': file 'todo/../../x.py' must not use '..': it would escape the output tree"
            ])
    }

    @Test("two atoms defining one name in one file")
    func sameNameSameFile() {
        let text = Self.good.replacingOccurrences(of: "name: TodoStore", with: "name: Todo")
            .replacingOccurrences(of: "file: todo/store.py", with: "file: ./todo/models.py")
        #expect(
            errors(text) == [
                "12:5: error: atoms 'model' and 'store' both define 'Todo' in todo/models.py; rename one or move it to another file"
            ])
    }

    @Test("levels that contradict depends_on")
    func contradictingLevels() {
        let found = errors(Self.good + "\nlevels: [[model, store]]\n")
        #expect(
            found == [
                "12:5: error: levels contradict depends_on: atom 'store' is in level 1 but depends on 'model' in level 1; a dependency must sit in an earlier level"
            ])
        #expect(errors(Self.good + "\nlevels: [[model], [store]]\n").isEmpty)
        #expect(errors(Self.good + "\nlevels: [[model]]\n") == ["12:5: error: levels: atom 'store' is in no level"])
        #expect(
            errors(Self.good + "\nlevels: [[model], [store, ghost]]\n") == [
                "error: levels: level 2 names unknown atom 'ghost'"
            ])
    }

    @Test("every problem is reported at once")
    func everyProblem() {
        let text = Self.good.replacingOccurrences(of: "plan: todo", with: "plan: a b")
            .replacingOccurrences(of: "estimated_loc: 8", with: "estimated_loc: -2")
            .replacingOccurrences(of: "depends_on: [model]", with: "depends_on: [ghost]")
        #expect(errors(text).count == 3)
    }

    @Test("unknown keys are warnings, not errors")
    func unknownKeysWarn() throws {
        let check = PlanChecker.check(
            text: Self.good.replacingOccurrences(of: "plan: todo", with: "plan: todo\nowner: team-a"))
        #expect(check.validPlan != nil)
        #expect(check.warnings.map(\.description) == ["2:1: warning: unknown plan key 'owner' is ignored"])
        // A key a typo away from one it knows says which; a swap of two letters is one typo.
        let typo = PlanChecker.check(
            text: Self.good.replacingOccurrences(of: "depends_on: [model]", with: "depnedson: [model]")
                .replacingOccurrences(of: "plan: todo", with: "plan: todo\natmos: []"))
        #expect(
            typo.warnings.map(\.description).contains {
                $0.hasSuffix("unknown plan key 'atmos' is ignored (did you mean 'atoms'?)")
            }, "\(typo.warnings)")
        #expect(
            typo.warnings.map(\.description).contains {
                $0.hasSuffix("atom 'store': unknown key 'depnedson' is ignored (did you mean 'depends_on'?)")
            }, "\(typo.warnings)")
    }

    @Test("the seed planner's field names are read")
    func seedFieldNames() throws {
        let text = """
            {"plan": "seed", "language": "python", "atoms": [
              {"id": "a", "name": "A", "description": "d", "estimated_loc": 5, "complexity": "low", "depends_on": [],
               "context": {"file_context": {"file_path": "pkg/a.py", "imports": ["import os"]},
                           "parent_context": {"module": "pkg"}}}]}
            """
        let plan = try #require(PlanChecker.check(text: text).validPlan)
        #expect(plan.atoms[0].file == "pkg/a.py")
        #expect(plan.atoms[0].imports == ["import os"])
        #expect(plan.atoms[0].parentContext == "{module: pkg}")
        #expect(plan.atoms[0].complexity == "low")
    }

    @Test("a plan without a 'plan' key is named after its file")
    func idFromFileName() throws {
        #expect(PlanChecker.planID(fromFileName: "/in/todo-v2.yaml") == "todo-v2")
        let check = PlanChecker.check(text: "atoms: [{id: a, name: A, description: d, file: a.py}]", fallbackID: "x1")
        #expect(try #require(check.validPlan).id == "x1")
        #expect(check.atomsLanguage == ["python"])
    }
}

extension PlanCheck {
    var atomsLanguage: [String] { plan?.atoms.map(\.language.name) ?? [] }
}
