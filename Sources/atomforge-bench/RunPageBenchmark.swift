import AtomForge
import Foundation

/// A large plan's run page, written the way a real run writes it, for `scripts/bench` to open in Chromium.
///
/// The synthetic plan goes through the real engine and the real outbox writer (journal, reports, `index.html`),
/// with the simulated model; its atoms carry a description and tests of the size real plans have, so the prompts
/// and the page's data are the size of a real run's. 15 % of the atoms fail their first attempt, so they show two
/// attempts and a diff.
enum RunPageBenchmark {
    static func run(atoms count: Int, into outbox: String, report: (String, Double, String) -> Void) async throws {
        var synthetic = SyntheticPlan(count: count, medianSeconds: 0, seed: 7)
        synthetic.plan.atoms = synthetic.plan.atoms.map { atom in
            var atom = atom
            atom.description =
                "Return the value of \(atom.id), computed from its dependencies, as a plain integer; raise "
                + "ValueError when an input is negative. Keep it pure: no I/O, no global state."
            atom.tests = (1...4).map { "assert \(atom.id)() == \($0)  # case \($0)" }.joined(separator: "\n")
            return atom
        }
        let plan = synthetic.plan
        let folder = try PlanClaim.folder(for: plan, text: "synthetic", outbox: outbox)
        let recorder = OutboxRecorder(folder: folder, plan: plan, model: "simulated")
        await recorder.begin()
        let start = ContinuousClock.now
        let (_, outcome) = await EngineBenchmarks.run(
            synthetic, workers: 100, mode: .dependency, simulateLatency: false, recorder: recorder)
        await recorder.finish(outcome, provider: ProviderSettings())
        report("run_page_run_with_outbox_seconds_\(count)", (ContinuousClock.now - start).seconds, "s")
        let size = (try? FileManager.default.attributesOfItem(atPath: folder.path + "/index.html")[.size] as? Int) ?? 0
        report("run_page_size_\(count)", Double(size) / 1_048_576, "MB")
        print("run_page_path \(folder.path)/index.html")
    }
}
