import Dispatch
import Foundation
import Glibc
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

    enum Stream: Sendable {
        case output, error

        var descriptor: Int32 { self == .output ? STDOUT_FILENO : STDERR_FILENO }
    }

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
        errorIsTerminal = isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
        colours = errorIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty
        outputIsTerminal = isatty(STDOUT_FILENO) == 1
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
            outputLock.withLock { _ in Self.writeAll(text, to: stream.descriptor) }
            return
        }
        state.withLock { state in
            let shown = state.status
            if replacesStatus, errorIsTerminal { state.status = newStatus }
            if shown != nil { Self.writeAll("\r\u{1B}[2K", to: STDERR_FILENO) }
            Self.writeAll(text, to: stream.descriptor)
            if let status = state.status { Self.writeAll(status, to: STDERR_FILENO) }
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
            Self.writeAll("\r\u{1B}[2K" + (fitted ?? ""), to: STDERR_FILENO)
            state.status = fitted
        }
    }

    /// The terminal's width in columns (80 when it does not say).
    private static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
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

    private static func writeAll(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
