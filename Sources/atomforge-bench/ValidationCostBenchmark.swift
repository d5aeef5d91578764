import AtomForge
import Foundation

/// What validating one attempt costs, per language: the unit extraction and the whole standard chain (structure,
/// syntax check, the atom's tests) under the sandbox in force, as the engine runs them; for Python with the warm
/// parser and with a fresh `python3` per check, in the same run.
///
/// CPU is that of the benchmark's cgroup (cgroup v1 `cpuacct` or v2 `cpu.stat`): AtomForge and every process it
/// ran. `getrusage` would miss most of it: bubblewrap's init in a PID namespace of its own is not reaped by its
/// parent, and the CPU of what ran inside is lost to `RUSAGE_CHILDREN`. `scripts/bench` starts the benchmark in a
/// cgroup of its own; in the root cgroup the figure is the whole machine's.
enum ValidationCostBenchmark {
    struct Case {
        var language: String
        var code: String
        var tests: String
        var runs: Int
    }

    static let cases = [
        Case(
            language: "python",
            code: "def slug(text):\n    return text.strip().lower().replace(' ', '-')\n\nprint(slug('A'))",
            tests: "assert slug(' A b ') == 'a-b'", runs: 40),
        Case(
            language: "javascript",
            code: "function slug(text) {\n  return text.trim().toLowerCase().replace(/ /g, '-');\n}",
            tests: "console.assert(slug(' A b ') === 'a-b');", runs: 10),
        Case(
            language: "typescript",
            code: "function slug(text: string): string {\n  return text.trim().toLowerCase().replace(/ /g, '-');\n}",
            tests: "console.assert(slug(' A b ') === 'a-b');", runs: 4),
        Case(
            language: "swift",
            code:
                "func slug(_ text: String) -> String {\n    text.lowercased().split(separator: \" \").joined(separator: \"-\")\n}",
            tests: "assert(slug(\"A b\") == \"a-b\")", runs: 3),
    ]

    static func run(report: (String, Double, String) -> Void) async {
        for item in cases {
            let variants: [(String, Bool)] =
                item.language == "python" ? [("warm", true), ("cold", false)] : [("", false)]
            for (variant, warm) in variants {
                var settings = ValidationSettings()
                settings.warmPython = warm
                settings.timeoutSeconds = 120
                let runner = ToolRunner.standard(settings)
                // A parser of the measurement's own, so that its CPU is this variant's.
                var measured = runner
                let parser = warm ? WarmParser(sandbox: runner.sandbox, timeout: runner.timeout) : nil
                measured.warmParser = parser
                let chain = ValidatorChain.standard(settings, runner: measured)
                let extractor = UnitExtractor(runner: measured)
                let language = Language.named(item.language)
                let atom = Atom(
                    id: "slug", name: "slug", description: "d", file: "slug.\(language.fileExtensions[0])",
                    language: language, tests: item.tests)
                // One attempt first, outside the figures: the warm parser's start and the toolchains' caches.
                _ = await attempt(item.code, atom, chain, extractor)
                let clock = ContinuousClock()
                let before = cpuSeconds()
                let start = clock.now
                var failed = 0
                for _ in 0..<item.runs {
                    if !(await attempt(item.code, atom, chain, extractor)) { failed += 1 }
                }
                let wall = (clock.now - start).seconds / Double(item.runs)
                let cpu = (cpuSeconds() - before) / Double(item.runs)
                let name = variant.isEmpty ? item.language : "\(item.language)_\(variant)"
                report("validation_cpu_per_attempt_\(name)", cpu * 1000, "ms (\(meter))")
                report("validation_wall_per_attempt_\(name)", wall * 1000, "ms")
                if failed > 0 { report("validation_failed_attempts_\(name)", Double(failed), "attempts (should pass)") }
                if warm {
                    // What bounds it: the parts of an attempt alone.
                    let extraction = await cpuPerCall(item.runs) {
                        _ = await extractor.unit(of: item.code, language: language, name: atom.name)
                    }
                    report("validation_cpu_python_warm_unit_extraction", extraction * 1000, "ms (\(meter))")
                    let emptyRun = await cpuPerCall(item.runs) {
                        _ = try? await measured.runPython(["empty.py"], files: ["empty.py": "pass"])
                    }
                    report("validation_cpu_python_warm_empty_run", emptyRun * 1000, "ms (\(meter))")
                }
                await parser?.shutdown()
            }
        }
    }

    /// The CPU seconds one call of `body` costs, over `count` calls.
    static func cpuPerCall(_ count: Int, _ body: () async -> Void) async -> Double {
        let before = cpuSeconds()
        for _ in 0..<count { await body() }
        return (cpuSeconds() - before) / Double(count)
    }

    /// Validates one attempt as the engine does; true when it passed.
    static func attempt(_ code: String, _ atom: Atom, _ chain: ValidatorChain, _ extractor: UnitExtractor) async -> Bool
    {
        let unit = await extractor.unit(of: code, language: atom.language, name: atom.name)
        let issues = await chain.validate(ValidationSubject(atom: atom, code: unit, dependencyCode: []))
        return issues.isEmpty
    }

    /// What ``cpuSeconds()`` reads.
    static let meter = cgroupUsage() == nil ? "getrusage, without what ran in the sandbox" : "cgroup"

    /// CPU seconds of this process's cgroup, or of this process and its reaped children where no cgroup is readable.
    static func cpuSeconds() -> Double {
        if let usage = cgroupUsage() { return usage }
        return ProcessorTime.selfAndChildren()
    }

    /// The CPU seconds of this process's cgroup so far: v1 `cpuacct.usage` (ns) or v2 `cpu.stat`'s `usage_usec`.
    static func cgroupUsage() -> Double? {
        guard let groups = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        for line in groups.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].split(separator: ",").contains("cpuacct"),
                let text = try? String(
                    contentsOfFile: "/sys/fs/cgroup/cpuacct\(parts[2])/cpuacct.usage", encoding: .utf8),
                let nanoseconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return nanoseconds / 1e9
            }
            if parts[0] == "0", parts[1].isEmpty,
                let text = try? String(contentsOfFile: "/sys/fs/cgroup\(parts[2])/cpu.stat", encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("usage_usec") }),
                let microseconds = Double(line.split(separator: " ").last ?? "")
            {
                return microseconds / 1e6
            }
        }
        return nil
    }
}
