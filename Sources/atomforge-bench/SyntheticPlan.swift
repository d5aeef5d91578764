import AtomForge
import Foundation

/// A seeded random number generator (SplitMix64): the same seed gives the same plans and latencies on every run.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box–Muller).
    mutating func normal() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// A plan of `count` atoms in a DAG of depth 8–12 with random fan-in, and what each atom's generation will cost:
/// a lognormal latency per attempt, and for 15 % of atoms a first attempt that fails validation.
struct SyntheticPlan {
    var plan: Plan
    /// Per atom id: the latency of attempt 1 and of attempt 2, in seconds (already scaled).
    let latencies: [String: [Double]]
    let failsFirstAttempt: Set<String>

    init(count: Int, medianSeconds: Double, sigma: Double = 0.5, failureRate: Double = 0.15, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let depth = Int.random(in: 8...12, using: &random)
        var levels = Array(repeating: [Int](), count: depth)
        for index in 0..<count {
            levels[index < depth ? index : Int.random(in: 0..<depth, using: &random)].append(index)
        }
        var atoms: [Atom] = []
        var latencies: [String: [Double]] = [:]
        var fails = Set<String>()
        var levelOf = Array(repeating: 0, count: count)
        for (level, members) in levels.enumerated() { for index in members { levelOf[index] = level } }
        for index in 0..<count {
            let id = "atom_\(index)"
            var dependencies: [String] = []
            let level = levelOf[index]
            if level > 0 {
                let previous = levels[level - 1]
                dependencies.append("atom_\(previous[Int.random(in: 0..<previous.count, using: &random)])")
                for _ in 0..<Int.random(in: 0...2, using: &random) {
                    let earlier = levels[Int.random(in: 0..<level, using: &random)]
                    let dependency = "atom_\(earlier[Int.random(in: 0..<earlier.count, using: &random)])"
                    if !dependencies.contains(dependency) { dependencies.append(dependency) }
                }
            }
            atoms.append(
                Atom(
                    id: id, name: id, description: "synthetic", file: "gen/level\(level).py",
                    language: .named("python"),
                    estimatedLOC: 5, dependsOn: dependencies))
            latencies[id] = (0..<2).map { _ in medianSeconds * exp(sigma * random.normal()) }
            if Double.random(in: 0..<1, using: &random) < failureRate { fails.insert(id) }
        }
        plan = Plan(id: "synthetic-\(count)", atoms: atoms)
        self.latencies = latencies
        failsFirstAttempt = fails
    }

    /// The time an atom's generation takes: attempt 1, plus attempt 2 if attempt 1 fails.
    func work(_ id: String) -> Double {
        latencies[id]![0] + (failsFirstAttempt.contains(id) ? latencies[id]![1] : 0)
    }

    /// No schedule on `workers` workers can finish sooner: max(the heaviest dependency chain, total work ÷ workers).
    func lowerBound(workers: Int) -> Double {
        let graph = DependencyGraph(plan.atoms)
        var finish = Array(repeating: 0.0, count: plan.atoms.count)
        for index in graph.topologicalOrder {
            finish[index] = (graph.dependencies[index].map { finish[$0] }.max() ?? 0) + work(plan.atoms[index].id)
        }
        let total = plan.atoms.reduce(0) { $0 + work($1.id) }
        return max(finish.max() ?? 0, total / Double(workers))
    }
}
