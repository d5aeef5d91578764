import Foundation
import Glibc
import Testing

@testable import AtomForge

/// Who holds a run's lock, told without taking it. The kernel's table of locks is read a page at a time and shifts
/// when other locks go, so a held lock can be missing from a read of it (a daemon taking many plans makes that
/// likely): the holder is then confirmed among the descriptors of the process whose pid the lock file holds.
@Suite("lock holder")
struct FileLockHolderTests {
    let path = NSTemporaryDirectory() + "lock-holder-" + UUID().uuidString

    /// The lock file with `pid` written in it, as a run writes its own in the `.lock` it holds.
    func lockFile(holding pid: Int32?) throws -> Int32 {
        try (pid.map { "\($0)\n" } ?? "").write(toFile: path, atomically: true, encoding: .utf8)
        return open(path, O_RDWR | O_CLOEXEC)
    }

    @Test("a held lock is found in the kernel's table, and also when a read of the table skipped it")
    func heldLock() throws {
        let descriptor = try lockFile(holding: getpid())
        defer { close(descriptor) }
        defer { unlink(path) }
        #expect(flock(descriptor, LOCK_EX) == 0)
        #expect(FileLockHolder.pid(holding: path) == getpid())
        // A read of the table that skipped the entry: the pid in the file, confirmed by the process's descriptors.
        #expect(FileLockHolder.pid(holding: path, table: { "" }) == getpid())
    }

    @Test("no one holds a lock that is not taken, whatever pid the file names, or when it names none")
    func noHolder() throws {
        let named = try lockFile(holding: getpid())
        #expect(FileLockHolder.pid(holding: path) == nil)
        #expect(FileLockHolder.pid(holding: path, table: { "" }) == nil)
        close(named)
        // Taken by a process that wrote no pid: the table still tells; a skipped read cannot, and says no one.
        let unnamed = try lockFile(holding: nil)
        defer { close(unnamed) }
        defer { unlink(path) }
        #expect(flock(unnamed, LOCK_EX) == 0)
        #expect(FileLockHolder.pid(holding: path) == getpid())
        #expect(FileLockHolder.pid(holding: path, table: { "" }) == nil)
    }

    @Test("a FIFO or a link in place of the lock file names no holder, and is not waited on", .timeLimit(.minutes(1)))
    func hostileLockFile() throws {
        #expect(mkfifo(path, 0o600) == 0)
        #expect(FileLockHolder.pid(holding: path, table: { "" }) == nil)
        unlink(path)
        let target = path + "-target"
        let descriptor = try lockFile(holding: getpid())
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX) == 0)
        #expect(rename(path, target) == 0 && symlink(target, path) == 0)
        defer { unlink(path); unlink(target) }
        #expect(FileLockHolder.pid(holding: target) == getpid())
        #expect(FileLockHolder.pid(holding: path) == nil)
    }

    @Test("the table's lines are read by device and inode; a waiter (->) is no holder")
    func tableLines() {
        let table = """
            1: FLOCK  ADVISORY  WRITE 3290 00:2e:1234 0 EOF
            1: -> FLOCK  ADVISORY  WRITE 4000 00:2e:5678 0 EOF
            2: POSIX  ADVISORY  WRITE 4100 fe:00:5678 0 EOF
            """
        #expect(FileLockHolder.holder(of: "00:2e:1234", in: table) == 3290)
        #expect(FileLockHolder.holder(of: "00:2e:5678", in: table) == nil)
        #expect(FileLockHolder.holder(of: "fe:00:5678", in: table) == 4100)
    }
}
