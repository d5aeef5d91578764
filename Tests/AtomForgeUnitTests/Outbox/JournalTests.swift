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

    @Test("a line torn by a crash is cut off before the next record, which is kept")
    func tornLine() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = Journal(path: path)
        try journal.append(AtomResult(id: "a", status: .passed, code: "a"))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"atom\":{\"id\":\"torn".utf8))
        try handle.close()
        try journal.append(AtomResult(id: "b", status: .passed, code: "b"))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && !lines.contains { $0.contains("torn") })
        #expect(Set(journal.read().keys) == ["a", "b"])
    }
}
