import Foundation

/// The file system a path is on, as far as sharing the inbox and the outbox cares: its type, its mount options, and
/// whether the local kernel sees every change made to it. inotify reports only changes made through this kernel: on
/// a network or FUSE file system a file written by another host (or by the FUSE server's side) raises no event.
///
/// Read from `/proc/self/mountinfo` (the mount whose mount point is the longest prefix of the path's real path)
/// rather than `statfs`: Swift's Glibc module does not import `statfs`, and mountinfo names the type as the mount
/// does (`nfs` for versions 2 and 3, `nfs4`, `fuse.sshfs`) and holds the options the locks depend on.
public struct FileSystemKind: Sendable, Equatable, CustomStringConvertible {
    /// The type, as mountinfo names it: `ext4`, `nfs4`, `fuse.bindfs`.
    public var type: String
    /// The mount's options and the super block's.
    public var options: [String]
    /// Where it is mounted.
    public var mountPoint: String

    package init(type: String, options: [String], mountPoint: String) {
        self.type = type
        self.options = options
        self.mountPoint = mountPoint
    }

    public var description: String { type }

    /// True where changes can come from elsewhere than this kernel, so that inotify may miss them.
    public var isRemote: Bool {
        let family = type.split(separator: ".").first.map(String.init) ?? type
        return Self.remoteTypes.contains(family) || Self.remoteTypes.contains(type)
    }

    /// Network, cluster and FUSE file systems (`fuse.<name>` and `fuseblk` included).
    static let remoteTypes: Set<String> = [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse", "fuseblk", "9p", "virtiofs", "ceph", "glusterfs", "lustre",
        "gpfs", "afs", "coda", "ocfs2", "gfs2", "beegfs", "orangefs", "davfs",
    ]

    /// The kind `path` is on (for a path not there yet, its nearest existing folder's); nil without mountinfo.
    public static func of(_ path: String, mountinfo: String? = nil) -> FileSystemKind? {
        guard let text = mountinfo ?? (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) else {
            return nil
        }
        var existing = URL(fileURLWithPath: path.isEmpty ? "." : path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            existing.deleteLastPathComponent()
        }
        return kind(of: existing.resolvingSymlinksInPath().path, mountinfo: text)
    }

    /// The mount of the absolute `real` path among mountinfo's lines.
    package static func kind(of real: String, mountinfo text: String) -> FileSystemKind? {
        var best: FileSystemKind?
        for line in text.split(separator: "\n") {
            // `36 35 98:0 /root /mnt rw,noatime master:1 - ext4 /dev/sda1 rw,errors=continue`
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let fields = halves[0].split(separator: " ")
            let tail = halves[1].split(separator: " ")
            guard fields.count >= 6, tail.count >= 3 else { continue }
            let point = unescape(String(fields[4]))
            guard real == point || real.hasPrefix(point == "/" ? "/" : point + "/") else { continue }
            // The longest mount point wins; among equal ones the last mounted (it covers the others).
            if let best, best.mountPoint.count > point.count { continue }
            let options = (fields[5].split(separator: ",") + tail[2].split(separator: ",")).map(String.init)
            best = FileSystemKind(type: String(tail[0]), options: options, mountPoint: point)
        }
        return best
    }

    /// mountinfo's octal escapes (`\040` for a space) undone.
    static func unescape(_ field: String) -> String {
        var bytes: [UInt8] = []
        var rest = Substring(field).utf8[...]
        while let first = rest.first {
            let code = rest.dropFirst().prefix(3)
            if first == UInt8(ascii: "\\"), code.count == 3,
                let value = UInt8(String(decoding: code, as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                rest = rest.dropFirst(4)
            } else {
                bytes.append(first)
                rest = rest.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
