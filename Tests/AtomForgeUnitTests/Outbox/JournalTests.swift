import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

@Suite("journal")
struct JournalTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).jsonl").path

    @Test("records read back; an atom's last record wins, finished or unfinished")
    func lastRecordWins() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = Journal(path: path)
        let attempt = AttemptRecord(
            number: 1, temperature: 0.2, maxTokens: 64, tokens: TokenUsage(input: 1, output: 1), latencyS: 0,
            transportRetries: 0, stopReason: "stop", truncated: false, code: "x", issues: [], passed: false)
        try journal.appendUnfinished("a", EarlierAttempts(attempts: [attempt], nextStep: 2, reusesVerdicts: true))
        try journal.append(AtomResult(id: "b", status: .failed, attempts: [attempt]))
        var state = journal.readState()
        #expect(state.unfinished["a"]?.nextStep == 2 && state.results["a"] == nil)
        #expect(state.results["b"]?.status == .failed)
        try journal.append(AtomResult(id: "a", status: .passed, code: "def a(): pass"))
        try journal.appendUnfinished("b", .retrying([attempt]))
        state = journal.readState()
        #expect(state.results["a"]?.status == .passed && state.unfinished["a"] == nil)
        #expect(state.results["b"] == nil && state.unfinished["b"] != nil)
    }

    @Test("a line torn by a crash or a full disk is cut off before the next record, which is kept")
    func tornJournalLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = Journal(path: path)
        try journal.append(AtomResult(id: "first", status: .passed, code: "x = 1"))
        // A torn line: a record begun and never ended.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"atom\":{\"id\":\"torn\",\"sta".utf8))
        try handle.close()
        try journal.append(AtomResult(id: "second", status: .passed, code: "y = 2"))
        let state = journal.readState()
        #expect(Set(state.results.keys) == ["first", "second"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2 && text.hasSuffix("\n") && !text.contains("torn"))
        #expect(Set(journal.read().keys) == ["first", "second"])
    }

    @Test("a whole last record that only lacks its newline is kept, not cut")
    func unterminatedRecord() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = Journal(path: path)
        try journal.append(AtomResult(id: "first", status: .passed, code: "x = 1"))
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text.removeLast()
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try journal.append(AtomResult(id: "second", status: .passed, code: "y = 2"))
        #expect(Set(journal.readState().results.keys) == ["first", "second"])
    }
}
