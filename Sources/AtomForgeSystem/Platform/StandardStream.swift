import Glibc

/// The process's standard output or standard error as the terminal and the journal see them: whether it is a
/// terminal, how wide, which file it is, and whole writes to it.
package enum StandardStream: Sendable {
    case output, error

    private var descriptor: Int32 { self == .output ? STDOUT_FILENO : STDERR_FILENO }

    /// Whether it is a terminal (not a pipe, a file or the journal).
    package var isTerminal: Bool { isatty(descriptor) == 1 }

    /// The terminal's width in columns; nil when it does not say (not a terminal).
    package var columns: Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Which file it is (device and inode): what systemd's `JOURNAL_STREAM` names for the journal's stream.
    package var identity: (device: UInt64, inode: UInt64)? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        return (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    /// Writes all of `text`, again after a signal interrupted a write; it gives up quietly when the stream is gone
    /// (a closed pipe: there is nobody to tell).
    package func writeAll(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Makes a write to a pipe whose reader is gone fail with `EPIPE` instead of ending the process (SIGPIPE
    /// ignored): for the whole process, before anything is written.
    package static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }
}
