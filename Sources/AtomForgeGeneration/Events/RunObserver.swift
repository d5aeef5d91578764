/// Hears a run's events as they happen (``RunEvent``): a terminal's progress line, a stream of JSON lines, a log.
///
/// Called from the tasks that generate atoms: an observer that writes somewhere slow does so off Swift's cooperative
/// pool, and keeps the order in which it was called.
public protocol RunObserver: Sendable {
    func observe(_ event: RunEvent) async
}

/// The observers of one run: every event goes to each, in order.
public struct RunEvents: Sendable {
    public let observers: [any RunObserver]

    public init(_ observers: [any RunObserver] = []) {
        self.observers = observers
    }

    public func emit(_ event: RunEvent) async {
        for observer in observers { await observer.observe(event) }
    }

    /// These events and `others` after them.
    public func adding(_ others: [any RunObserver]) -> RunEvents {
        RunEvents(observers + others)
    }
}
