import Foundation
import Glibc
import SystemPackage

/// Writes files so that a reader never sees half of one: write a temporary file beside the target, flush it to
/// disk, then rename it into place (rename is atomic within a file system).
public enum AtomicFile {
    /// Writes `bytes` to `path`, creating missing parent folders; `mode` is the new file's permission bits (less
    /// the umask). A write or a flush that fails throws, and the file stays as it was. `durable: false` skips the
    /// flush, for a status file rewritten often, whose loss in a power cut costs nothing: the rename is still atomic.
    public static func write(
        _ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644, durable: Bool = true
    ) throws(OutboxError) {
        try write(to: path, mode: mode, durable: durable) { file in _ = try file.writeAll(bytes) }
    }

    /// Writes `text` as UTF-8, without a copy of it.
    public static func write(_ text: String, to path: String) throws(OutboxError) {
        try write(pieces: [text], to: path)
    }

    /// Writes `pieces` one after the other as UTF-8, each without a copy: a large page written this way never
    /// exists whole in memory.
    public static func write(pieces: [String], to path: String, mode: mode_t = 0o644) throws(OutboxError) {
        try write(to: path, mode: mode, durable: true) { file in
            for var piece in pieces {
                piece.makeContiguousUTF8()
                _ = try piece.utf8.withContiguousStorageIfAvailable { try file.writeAll($0) }
            }
        }
    }

    private static func write(
        to path: String, mode: mode_t, durable: Bool, _ body: (FileDescriptor) throws -> Void
    ) throws(OutboxError) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutboxError("cannot create folder \(directory): \(error.localizedDescription)")
        }
        let temporary =
            "\(directory)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            let file = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
                permissions: FilePermissions(rawValue: CModeT(mode)))
            try file.closeAfter {
                try body(file)
                if durable { try file.sync() }
            }
        } catch {
            unlink(temporary)
            throw OutboxError(SystemError("write", path, errno: error as? Errno ?? .last).description)
        }
        guard rename(temporary, path) == 0 else {
            let error = SystemError("move \(temporary) to", path)
            unlink(temporary)
            throw OutboxError(error.description)
        }
        // The new name is durable too: a journal line written after this file never points at a file a power cut
        // took back.
        if durable {
            do {
                try FileDescriptor.syncFolder(directory)
            } catch {
                throw OutboxError(SystemError("flush the folder of", path, errno: error).description)
            }
        }
    }
}
