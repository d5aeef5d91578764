import ServiceLifecycle

/// Says `WATCHDOG=1` every half `WatchdogSec` while the daemon runs, so that the service manager restarts a daemon
/// that hangs. Listed first in the service group, it is shut down last: the pings go on while plans finish their
/// calls in flight, until the shutdown's grace is over.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration

    public init(notifier: SystemdNotifier, interval: Duration) {
        self.notifier = notifier
        self.interval = interval
    }

    public func run() async {
        // Ends when the group shuts it down: the sleep is cancelled, and so is the loop.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                notifier.watchdog()
                try? await Task.sleep(for: interval)
            }
        }
    }
}
