import Foundation
import Glibc
import SystemPackage
import Testing

@testable import AtomForge

/// The calls on names the layers above make through the platform edge: each throws the `Errno` a caller matches,
/// a move never replaces what is there, and a folder's entries are listed as the bytes they are.
@Suite("path operations")
struct PathOperationsTests {
    let folder = NSTemporaryDirectory() + "path-operations-" + UUID().uuidString

    init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func write(_ text: String, _ name: String) throws {
        try text.write(toFile: folder + "/" + name, atomically: false, encoding: .utf8)
    }

    func read(_ name: String) -> String? {
        try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)
    }

    @Test("a move to a free name moves; to a taken one it throws fileExists and both files stay as they were")
    func moveWithoutReplacing() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("plan", "a.yaml")
        try write("earlier fix", "b.yaml")
        #expect(throws: Errno.fileExists) {
            try PathOperations.moveWithoutReplacing(folder + "/a.yaml", to: folder + "/b.yaml")
        }
        #expect(read("a.yaml") == "plan" && read("b.yaml") == "earlier fix")
        try PathOperations.moveWithoutReplacing(folder + "/a.yaml", to: folder + "/c.yaml")
        #expect(read("a.yaml") == nil && read("c.yaml") == "plan")
        #expect(throws: Errno.noSuchFileOrDirectory) {
            try PathOperations.moveWithoutReplacing(folder + "/a.yaml", to: folder + "/d.yaml")
        }
    }

    @Test("a folder moves only when asked to, by rename, and never onto a name that is taken")
    func moveFolder() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/dir", withIntermediateDirectories: false)
        #expect(throws: Errno.self) {
            try PathOperations.moveWithoutReplacing(Array((folder + "/dir").utf8), to: folder + "/moved")
        }
        try write("taken", "taken")
        #expect(throws: Errno.fileExists) {
            try PathOperations.moveWithoutReplacing(Array((folder + "/dir").utf8), to: folder + "/taken", folders: true)
        }
        try PathOperations.moveWithoutReplacing(Array((folder + "/dir").utf8), to: folder + "/moved", folders: true)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder + "/moved", isDirectory: &isDirectory))
        #expect(isDirectory.boolValue && read("taken") == "taken")
    }

    @Test("a name that is not UTF-8 is listed as its bytes, with its time, and can be moved by them")
    func undecodableName() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let name: [UInt8] = [0x70, 0xFF, 0x2E, 0x79]  // "p\xFF.y"
        let path = (Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]).map { CChar(bitPattern: $0) }
        let descriptor = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        #expect(descriptor >= 0)
        close(descriptor)
        try write("x", "plain.yaml")
        let entries = DirectoryEntries.list(folder)
        #expect(Set(entries.map(\.name)) == [name, Array("plain.yaml".utf8)])
        #expect(entries.allSatisfy { $0.modified != nil })
        try PathOperations.moveWithoutReplacing(
            Array(folder.utf8) + [UInt8(ascii: "/")] + name, to: folder + "/decoded.yaml")
        #expect(
            Set(DirectoryEntries.list(folder).map(\.name)) == [Array("decoded.yaml".utf8), Array("plain.yaml".utf8)])
    }

    @Test("a folder made once reports it made it; the second time it finds it; removing a missing file throws ENOENT")
    func folders() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try PathOperations.makeFolderIfMissing(folder + "/run"))
        #expect(try !PathOperations.makeFolderIfMissing(folder + "/run"))
        #expect(throws: Errno.noSuchFileOrDirectory) { try PathOperations.removeFile(folder + "/none") }
        try PathOperations.removeEmptyFolder(folder + "/run")
        #expect(!FileManager.default.fileExists(atPath: folder + "/run"))
    }

    @Test("a folder's lock is held once: a second take fails until the first lets it go; the pid goes with it")
    func folderLock() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let held = try OutboxFolder.open(folder)
        let first = try #require(try FolderLock.take(in: held))
        #expect(try FolderLock.take(in: held) == nil)
        #expect(read(".lock") == "\(getpid())\n")
        first.release()
        #expect(read(".lock") == "")
        let second = try #require(try FolderLock.take(in: held))
        second.release()
        try FileManager.default.removeItem(atPath: folder + "/.lock")
        try FileManager.default.createSymbolicLink(atPath: folder + "/.lock", withDestinationPath: "/etc/hostname")
        #expect(throws: OutboxError.self) { try FolderLock.take(in: held) }
    }
}
