import AtomForgeSystem
import Foundation

/// What the run folders' locks rely on where the outbox is shared between hosts, and the warning a daemon logs at
/// start when its outbox is on a file system where they do not hold.
///
/// A run is held by `flock` on its `.lock` file, taken without waiting. On a local disk the kernel drops the lock the
/// moment its process dies (`kill -9` included), so another daemon's sweep resumes the run. On NFSv4 the Linux client
/// sends `flock` to the server as a lock under the client's lease: a host that dies stops renewing its lease, the
/// server frees its locks when the lease expires (90 s by default), and the next sweep of another host takes the run.
/// NFSv3 locks go through NLM, which frees a dead client's locks only when that client boots again and says so: a
/// host that never comes back holds its runs for good. Mounted with `nolock` or `local_lock=flock|all`, the locks
/// stay on each host and two hosts could run one plan at once.
///
/// So: NFSv4 (or a local disk) to share an outbox; on NFSv3 the daemon warns that a dead host's runs wait for that
/// host, and with locks local to each host that the outbox must not be shared. A lock file with a heartbeat would
/// work on any file system, but it trades the kernel's exact release for clocks and timeouts that must be tuned
/// against pauses (a stopped VM, a long GC), and a wrong guess runs a plan twice: not worth it while NFSv4 gives
/// leases for free.
public enum OutboxSharing {
    /// The warning for an outbox at `outbox` on `kind`, or nil where the locks hold across hosts or it is local.
    public static func warning(outbox: String, kind: FileSystemKind) -> String? {
        guard kind.isRemote else { return nil }
        if let local = kind.options.first(where: { ["nolock", "local_lock=flock", "local_lock=all"].contains($0) }) {
            return "the outbox \(outbox) is on \(kind) mounted with locks local to this host (\(local)): daemons on "
                + "other hosts cannot see that a run is held, so do not share this outbox between hosts"
        }
        if kind.type == "nfs" {
            return "the outbox \(outbox) is on NFS version 2 or 3: a host that dies holds its runs' locks until it "
                + "boots again, so other hosts do not take its runs over; mount it with NFSv4 (vers=4.2) to share it"
        }
        guard !sharedLocks.contains(kind.type) else { return nil }
        return "the outbox \(outbox) is on \(kind), whose locks may be local to each host (FUSE, SMB and the like): "
            + "share it between hosts only on NFSv4 or a cluster file system (CephFS, GlusterFS, Lustre, GPFS)"
    }

    /// Remote file systems whose `flock` other hosts see, and which free a dead host's locks.
    static let sharedLocks: Set<String> = [
        "nfs4", "ceph", "fuse.glusterfs", "glusterfs", "lustre", "gpfs", "beegfs", "ocfs2", "gfs2",
    ]
}
