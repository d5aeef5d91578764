import CoreMetrics

/// What the engine measures through swift-metrics: the model calls, their transport retries and rate-limit waits,
/// validation time, and atoms waiting for a worker. A process that bootstraps no metrics backend pays nothing for
/// them (swift-metrics' no-op handlers); `atomforge` bootstraps Prometheus when `metrics.textfile` is set.
///
/// Names follow Prometheus' conventions (`docs/metrics.md` lists them all): counters end in `_total`, durations are
/// histograms in seconds.
package enum EngineMetrics {
    package static let modelCallDuration = CoreMetrics.Timer(label: "atomforge_model_call_duration_seconds")
    package static let modelCallsAnswered = Counter(
        label: "atomforge_model_calls_total", dimensions: [("outcome", "reply")])
    package static let modelCallsFailed = Counter(
        label: "atomforge_model_calls_total", dimensions: [("outcome", "error")])
    package static let transportRetries = Counter(label: "atomforge_transport_retries_total")
    package static let rateLimitWaits = Counter(label: "atomforge_rate_limit_waits_total")
    package static let rateLimitWaitSeconds = FloatingPointCounter(label: "atomforge_rate_limit_wait_seconds_total")
    package static let validationDuration = CoreMetrics.Timer(label: "atomforge_validation_duration_seconds")
    /// Atoms whose dependencies passed, waiting for a slot in flight (one per model slot and validation slot): the
    /// engine's queue.
    package static let atomsWaiting = Meter(label: "atomforge_atoms_waiting")
    package static let atomsRunning = Meter(label: "atomforge_atoms_running")
}

extension CoreMetrics.Timer {
    package func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
