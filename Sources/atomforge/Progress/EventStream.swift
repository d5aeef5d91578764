import AtomForge

/// `run --output-format stream-json`: each event as one line of JSON on standard output, in the order it happened
/// (`docs/events.md`). The command's last line is the result (`"event": "result"`).
struct EventStream: RunObserver {
    func observe(_ event: RunEvent) async {
        await Console.shared.writeInOrder(event.jsonLine + "\n", to: .output)
    }
}
