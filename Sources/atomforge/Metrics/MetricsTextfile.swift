import AtomForge
import Foundation
import Metrics
import Prometheus
import ServiceLifecycle
import SystemPackage

/// Metrics for Prometheus as node_exporter's textfile collector reads them: the registry written in the text
/// format to `metrics.textfile` every `metrics.interval_s`, and once more as the command ends, each time to a
/// temporary name renamed into place, so the collector never reads half a file (`docs/metrics.md`).
///
/// A file rather than a `/metrics` port: the collector already runs where the daemon does, and AtomForge then opens
/// no listening socket of its own.
struct MetricsTextfile: Service {
    let registry: PrometheusCollectorRegistry
    let path: String
    let interval: Duration

    /// Makes Prometheus the process's metrics backend: what the engine counts through swift-metrics lands in
    /// `registry`. Call once, before anything is measured.
    static func bootstrap(_ settings: PipelineConfig) -> MetricsTextfile? {
        guard let path = settings.metricsPath else { return nil }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Model calls take from a tenth of a second (a small local model) to minutes (a long reply).
        factory.defaultDurationHistogramBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300].map {
            Duration.milliseconds(Int64($0 * 1000))
        }
        MetricsSystem.bootstrap(factory)
        return MetricsTextfile(
            registry: registry, path: path, interval: .milliseconds(Int64(settings.metrics.intervalSeconds * 1000)))
    }

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await write()
                try? await Task.sleep(for: interval)
            }
        }
        await write()
    }

    /// Writes the file now; a failure is said on stderr, and the next interval tries again.
    func write() async {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        let (path, bytes) = (self.path, buffer)
        let result = await BlockingIO.run { () -> Result<Void, OutboxError> in
            Result { () throws(OutboxError) in
                try AtomicFile.write(bytes, to: path, durable: false)
                // Readable by the collector's user whatever the daemon's umask (the unit's is 0027).
                try? PathOperations.setPermissions(path, FilePermissions(rawValue: 0o644))
            }
        }
        if case .failure(let error) = result { printError("metrics: \(error)") }
    }
}
