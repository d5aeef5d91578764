import Foundation
import Glibc
import Synchronization
import Testing

@testable import AtomForge

/// Who holds a run's lock, told from the kernel's table while other locks come and go (a daemon taking many plans):
/// the table is read a page at a time, and a lock released before the reader's place shifts the rest.
@Suite("lock holder")
struct FileLockHolderTests {
    @Test("a held lock is found on every look while hundreds of others are released and taken again")
    func heldLockUnderChurn() throws {
        let folder = NSTemporaryDirectory() + "lock-holder-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func locked(_ name: String) -> Int32 {
            let descriptor = open(folder + "/" + name, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            _ = flock(descriptor, LOCK_EX)
            return descriptor
        }
        // Older locks sit after the held one in the table, newer ones before it: the newer ones churn.
        let older = (0..<300).map { locked("older-\($0)") }
        let held = locked("held")
        let pid = Array("\(getpid())\n".utf8)
        _ = pwrite(held, pid, pid.count, 0)  // as a run writes its pid in the `.lock` it holds
        let newer = (0..<300).map { locked("newer-\($0)") }
        defer { (older + [held] + newer).forEach { close($0) } }

        let stop = Mutex(false)
        let churn = Thread {
            var index = 0
            while !stop.withLock({ $0 }) {
                _ = flock(newer[index % newer.count], LOCK_UN)
                index += 1
                if index % newer.count == 0 { newer.forEach { _ = flock($0, LOCK_EX) } }
            }
        }
        churn.start()
        defer { stop.withLock { $0 = true } }

        var missed = 0
        for _ in 0..<1000 where FileLockHolder.pid(holding: folder + "/held") != getpid() {
            missed += 1
        }
        #expect(missed == 0, "the held lock was missed \(missed) times in 1000 looks")
    }

    @Test("a pid written in a file no one locks names no holder")
    func pidWithoutLock() throws {
        let path = NSTemporaryDirectory() + "lock-holder-" + UUID().uuidString
        try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileLockHolder.pid(holding: path) == nil)
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX) == 0)
        #expect(FileLockHolder.pid(holding: path) == getpid())
    }
}
