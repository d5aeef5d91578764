import ArgumentParser
import AtomForge
import Foundation

/// `atomforge-bench`: prints one line per figure, `name value unit`. `scripts/bench` runs it and writes BENCHMARKS.md.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atomforge-bench", abstract: "Measure AtomForge: makespan, overhead, transport, inbox latency.")

    @Flag(help: "Smaller sizes, finishing in well under a minute.")
    var quick = false

    @Option(help: "Base URL of a local OpenAI-compatible server for the transport figures (without /v1).")
    var server: String?

    @Option(help: "The process id of that server, to report its CPU use.")
    var serverPID: Int32 = 0

    @Option(help: "Only write a 1,000-atom run's folder, run page included, under this outbox (for Chromium).")
    var runPage: String?

    @Flag(help: "Only measure the validation of one attempt, per language.")
    var validationCost = false

    @Flag(help: "Only measure reading and checking plans of 1,000 and 10,000 atoms.")
    var planReading = false

    func run() async throws {
        func report(_ name: String, _ value: Double, _ unit: String) {
            let line = "\(name) \(String(format: value < 10 ? "%.3f" : "%.1f", value)) \(unit)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        if validationCost {
            await ValidationCostBenchmark.run(report: report)
            return
        }
        if planReading {
            PlanReadingBenchmark.run(report: report)
            return
        }
        if let runPage {
            try await RunPageBenchmark.run(atoms: 1_000, into: runPage, report: report)
            return
        }
        await EngineBenchmarks.overhead(atoms: quick ? 2_000 : 10_000, report: report)
        await EngineBenchmarks.makespan(atoms: 800, timeFactor: quick ? 0.002 : 0.01, report: report)
        if !quick { await EngineBenchmarks.makespan(atoms: 10_000, timeFactor: 0.01, report: report) }
        if let server {
            try await TransportBenchmark.run(
                baseURL: server, serverPID: serverPID, requests: quick ? 1_920 : 9_600, report: report)
        }
        try await InboxLatencyBenchmark.run(plans: quick ? 200 : 1_000, report: report)
    }
}
