import AtomForgeSystem
import Dispatch
import Foundation
import Synchronization

/// Every line AtomForge prints, and the one status line it keeps at the bottom of a terminal.
///
/// Lines written while the status line shows are put above it: the line is cleared, the text written, the status
/// drawn again, under one lock, so that log lines, results and the progress display never cut into each other. The
/// writes are those of a log handler (small, to a terminal or a pipe, as swift-log's own stream handler makes
/// them). Standard output that is not the terminal (a pipe a tool reads) has a lock of its own, so a slow reader
/// never holds up the log or the status line; ``writeInOrder(_:)`` writes to it from a dispatch queue, off the
/// cooperative pool.
final class Console: Sendable {
    static let shared = Console()

    typealias Stream = StandardStream

    private struct State {
        /// The status line as drawn, or nil when none shows.
        var status: String?
    }

    private let state = Mutex(State())
    /// Keeps whole lines whole on a standard output that is not the terminal; only its own writers wait on it.
    private let outputLock = Mutex(())
    private let queue = DispatchQueue(label: "atomforge.console")

    /// Whether standard error is a terminal that can redraw a line: not a pipe, a file or journald, nor
    /// `TERM=dumb`.
    let errorIsTerminal: Bool
    /// Whether marks may be coloured: a terminal, and no `NO_COLOR` (https://no-color.org).
    let colours: Bool
    /// Whether standard output goes to a terminal (the same one, as a rule): only then does a line written there
    /// cross the status line. Written elsewhere (a pipe a tool reads), it takes no lock a slow reader could hold.
    let outputIsTerminal: Bool

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        errorIsTerminal = StandardStream.error.isTerminal && environment["TERM"] != "dumb"
        colours = errorIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty
        outputIsTerminal = StandardStream.output.isTerminal
    }

    /// Writes `text` (ending in a newline) above the status line, if one shows.
    func write(_ text: String, to stream: Stream = .error) {
        write(text, to: stream, status: nil, replacesStatus: false)
    }

    /// Writes `text` above the status line and draws `status` below it (nil: none), in one go: the line printed
    /// and the counts it changed appear together.
    func write(_ text: String, thenStatus status: String?) {
        write(text, to: .error, status: status.map { Self.fit($0, columns: Self.columns()) }, replacesStatus: true)
    }

    private func write(_ text: String, to stream: Stream, status newStatus: String?, replacesStatus: Bool) {
        if stream == .output, !outputIsTerminal, !replacesStatus {
            outputLock.withLock { _ in stream.writeAll(text) }
            return
        }
        state.withLock { state in
            let shown = state.status
            if replacesStatus, errorIsTerminal { state.status = newStatus }
            if shown != nil { StandardStream.error.writeAll("\r\u{1B}[2K") }
            stream.writeAll(text)
            if let status = state.status { StandardStream.error.writeAll(status) }
        }
    }

    /// ``write(_:to:)`` from a dispatch queue of its own, in the order of the calls: a reader that does not keep up
    /// holds up the caller, never a thread of Swift's cooperative pool.
    func writeInOrder(_ text: String, to stream: Stream = .output) async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.write(text, to: stream)
                continuation.resume()
            }
        }
    }

    /// Draws `line` as the status line (cut to the terminal's width, so that it never wraps), or clears it (nil).
    /// Does nothing where standard error is not a terminal.
    func setStatus(_ line: String?) {
        guard errorIsTerminal else { return }
        let fitted = line.map { Self.fit($0, columns: Self.columns()) }
        state.withLock { state in
            guard fitted != state.status else { return }
            StandardStream.error.writeAll("\r\u{1B}[2K" + (fitted ?? ""))
            state.status = fitted
        }
    }

    /// The terminal's width in columns (80 when it does not say).
    private static func columns() -> Int {
        StandardStream.error.columns ?? 80
    }

    /// `line` cut to one less than `columns` characters (the cursor needs the last), with an ellipsis; escape
    /// sequences take no room.
    static func fit(_ line: String, columns: Int) -> String {
        var visible = 0
        var result = ""
        var inEscape = false
        for character in line {
            if character == "\u{1B}" { inEscape = true }
            if !inEscape {
                if visible == columns - 2 {
                    return result + "…" + (line.contains("\u{1B}") ? "\u{1B}[0m" : "")
                }
                visible += 1
            }
            result.append(character)
            if inEscape, character == "m" { inEscape = false }
        }
        return result
    }
}
