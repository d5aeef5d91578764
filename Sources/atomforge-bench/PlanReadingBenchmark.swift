import AtomForge
import Foundation

/// `atomforge check` of a large plan: the time to read and check a plan of 1,000 and of 10,000 atoms (each with up
/// to three dependencies on earlier atoms, a class with methods every 50 atoms), in CPU seconds of this process.
/// Reading must grow with the atoms, not with their square: the ratio of the two times is the figure to watch
/// (linear: about 10).
enum PlanReadingBenchmark {
    static func run(report: (String, Double, String) -> Void) {
        var times: [Int: Double] = [:]
        for count in [1_000, 10_000] {
            let text = planText(atoms: count)
            let started = cpuSeconds()
            let check = PlanChecker.check(text: text, fallbackID: "large")
            times[count] = cpuSeconds() - started
            precondition(check.validPlan?.atoms.count == count, "the benchmark's plan must be valid: \(check.errors)")
            report("plan_check_cpu_s_\(count)_atoms", times[count]!, "s")
        }
        report("plan_check_growth_10x_atoms", times[10_000]! / max(times[1_000]!, 1e-6), "x")
    }

    /// A plan of `count` atoms as a planner would write it.
    static func planText(atoms count: Int) -> String {
        var random = SeededRandom(seed: 7)
        var lines = ["plan: large", "language: python", "atoms:"]
        var classID: String?
        for index in 0..<count {
            if index % 50 == 0 {
                classID = "shape_\(index)"
                lines.append(
                    "  - {id: shape_\(index), name: Shape\(index), description: A shape., file: m\(index / 50).py}")
                continue
            }
            var dependencies: [String] = []
            if index > 1 {
                for _ in 0..<Int.random(in: 0...3, using: &random) {
                    let other = Int.random(in: 0..<index, using: &random)
                    if other % 50 != 0 { dependencies.append("a\(other)") }
                }
            }
            let depends = Set(dependencies).sorted().joined(separator: ", ")
            let parent = index % 50 < 4 ? ", parent_context: \(classID!)" : ""
            lines.append(
                "  - {id: a\(index), name: f\(index), description: Returns n plus \(index)., file: m\(index / 50).py"
                    + ", depends_on: [\(depends)]\(parent)}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
