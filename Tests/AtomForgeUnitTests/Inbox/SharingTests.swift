import AtomForgeTestSupport
import Foundation
import Glibc
import Testing

@testable import AtomForge

/// What sharing an inbox and an outbox between hosts rests on: the file system a path is on, how the inbox is watched
/// there, when the locks cannot be trusted, the health of a daemon from its status file, and their settings.
@Suite("sharing between hosts")
struct SharingTests {
    static let mountinfo = #"""
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
        40 22 0:35 / /srv/shared rw,relatime shared:20 - nfs4 nas:/export rw,vers=4.2,hard,proto=tcp
        41 22 0:36 / /srv/shared-v3 rw,relatime shared:21 - nfs nas:/old rw,vers=3,hard,proto=tcp
        42 22 0:37 / /srv/local-locks rw,relatime shared:22 - nfs4 nas:/x rw,vers=4.1,local_lock=flock
        43 22 0:38 / /mnt/with\040space rw,nosuid - fuse.sshfs host:/ rw,user_id=0
        44 40 0:39 / /srv/shared/scratch rw - tmpfs tmpfs rw,size=1024k
        """#

    @Test("the mount a path is on: the longest mount point that is a whole prefix of it, escapes undone")
    func mounts() {
        func kind(_ path: String) -> FileSystemKind? { FileSystemKind.kind(of: path, mountinfo: Self.mountinfo) }
        #expect(kind("/srv/shared/inbox")?.type == "nfs4")
        #expect(kind("/srv/shared/scratch/x")?.type == "tmpfs")
        #expect(kind("/srv/sharedX/inbox")?.type == "ext4", "a prefix that is not a whole folder is not the mount")
        #expect(kind("/mnt/with space/inbox")?.type == "fuse.sshfs")
        #expect(kind("/srv/local-locks")?.options.contains("local_lock=flock") == true)
        #expect(kind("/home/x")?.mountPoint == "/")
        #expect(FileSystemKind.of(FileManager.default.temporaryDirectory.path + "/not/there/yet") != nil)
    }

    @Test("inotify is blind on network and FUSE file systems, not on local ones")
    func remote() {
        let kinds = ["nfs", "nfs4", "cifs", "smb3", "fuse", "fuse.sshfs", "fuseblk", "9p", "virtiofs", "ceph"]
        for type in kinds {
            #expect(FileSystemKind(type: type, options: [], mountPoint: "/m").isRemote, "\(type)")
        }
        for type in ["ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs"] {
            #expect(!FileSystemKind(type: type, options: [], mountPoint: "/m").isRemote, "\(type)")
        }
    }

    @Test("the inbox's watch: as configured, else inotify with a rescan every 2 s only where inotify is blind")
    func watchMode() {
        var paths = PathSettings()
        let local = FileManager.default.temporaryDirectory.path
        let chosen = InboxWatch.choose(for: local, settings: paths)
        #expect(chosen.inotify && chosen.pollInterval == nil, "\(chosen.reason)")
        paths.pollIntervalSeconds = 0.5
        #expect(InboxWatch.choose(for: local, settings: paths).description == "inotify and a rescan every 0.5 s")
        paths.inotify = false
        #expect(InboxWatch.choose(for: local, settings: paths).description == "a rescan every 0.5 s (inotify off)")
        paths.pollIntervalSeconds = nil
        let pollOnly = InboxWatch.choose(for: local, settings: paths)
        #expect(!pollOnly.inotify && pollOnly.pollInterval == InboxWatch.defaultPollInterval)
        #expect(pollOnly.reason == "paths.inotify is false")
    }

    @Test("a warning where the locks fail across hosts: NFSv3 (a dead host holds them), locks local to each host")
    func lockWarnings() {
        func warning(_ path: String) -> String? {
            FileSystemKind.kind(of: path, mountinfo: Self.mountinfo).flatMap {
                OutboxSharing.warning(outbox: path, kind: $0)
            }
        }
        #expect(warning("/srv/shared/outbox") == nil, "NFSv4: a dead host's lease expires")
        #expect(warning("/home/outbox") == nil, "a local disk")
        #expect(warning("/srv/shared-v3/outbox")?.contains("NFS version 2 or 3") == true)
        #expect(warning("/srv/local-locks/outbox")?.contains("do not share this outbox") == true)
        #expect(warning("/mnt/with space/outbox")?.contains("may be local to each host") == true, "sshfs")
    }

    @Test("health: a fresh file of a live daemon passes; starting passes only --live; stale, gone or none fail")
    func health() throws {
        let outbox = FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        #expect(HostHealth.check(outbox: outbox, ready: true).message.contains("no daemon of host"))
        let status = HostStatus(outbox: outbox, inbox: "/srv/inbox")  // this process: alive
        try status.write()
        #expect(!HostHealth.check(outbox: outbox, ready: true).passes, "starting: not ready")
        #expect(HostHealth.check(outbox: outbox, ready: false).passes, "starting: alive")
        status.set(.watching, watch: "inotify")
        try status.write()
        let ready = HostHealth.check(outbox: outbox, ready: true)
        #expect(ready.passes && ready.message.contains("watching /srv/inbox (inotify)"), "\(ready.message)")
        let later = Date().timeIntervalSince1970 + 10 * HostStatus.defaultInterval.seconds
        let stale = HostHealth.check(outbox: outbox, ready: false, now: later)
        #expect(!stale.passes && stale.message.contains("it hangs"), "\(stale.message)")
        // A daemon that died without removing its file.
        var record = try JSONDecoder().decode(
            HostStatus.Record.self, from: Data(contentsOf: URL(fileURLWithPath: status.path)))
        status.remove()
        record.pid = Int32.max
        let folder = outbox + "/" + HostStatus.folderName
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: folder + "/\(record.host)-\(record.pid).json"))
        #expect(HostHealth.check(outbox: outbox, ready: false).message.contains("is gone"))
    }

    @Test("overlapping writes of the host status end with the latest state, whichever rename comes last")
    func overlappingStatusWrites() async throws {
        let outbox = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        // The start-up's writer and the service's may overlap: the file must never go back to `starting`. The rounds
        // block (they wait for the writers and sleep between them), so they run off Swift's cooperative pool, which
        // the other suites running beside this one need.
        let states = await withCheckedContinuation { (done: CheckedContinuation<[HostStatus.State?], Never>) in
            DispatchQueue.global().async {
                var states: [HostStatus.State?] = []
                for _ in 0..<400 {
                    let status = HostStatus(outbox: outbox, inbox: "/srv/inbox")
                    let group = DispatchGroup()
                    for _ in 0..<4 {
                        DispatchQueue.global().async(group: group) { try? status.write() }
                    }
                    usleep(UInt32.random(in: 0...400))  // some of them mid-write
                    status.set(.watching, watch: "inotify")
                    try? status.write()
                    group.wait()
                    let data = try? Data(contentsOf: URL(fileURLWithPath: status.path))
                    states.append(data.flatMap { try? JSONDecoder().decode(HostStatus.Record.self, from: $0) }?.state)
                    status.remove()
                }
                done.resume(returning: states)
            }
        }
        #expect(states.count == 400 && states.allSatisfy { $0 == .watching })
    }

    @Test("paths settings: rescans, inotify and sweeps read, out-of-range values refused with the key")
    func settings() throws {
        let config = try PipelineConfig.parse("paths: {inotify: false, poll_interval_s: 0.5, sweep_interval_s: 5}")
        #expect(!config.paths.inotify && config.paths.pollIntervalSeconds == 0.5)
        #expect(config.paths.sweepIntervalSeconds == 5)
        let defaults = try PipelineConfig.parse("")
        #expect(defaults.paths.inotify && defaults.paths.pollIntervalSeconds == nil)
        #expect(defaults.paths.sweepIntervalSeconds == 30)
        #expect(throws: (any Error).self) { try PipelineConfig.parse("paths: {poll_interval_s: 0}") }
        #expect(throws: (any Error).self) { try PipelineConfig.parse("paths: {sweep_interval_s: 0.5}") }
        #expect((try? PipelineConfig.parse("paths: {sweep_interval_s: 0}"))?.paths.sweepIntervalSeconds == 0)
    }
}
