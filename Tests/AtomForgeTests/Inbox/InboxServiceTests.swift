import AtomForge
import AtomForgeTestSupport
import Foundation
import Logging
import Testing

@testable import AtomForge

/// The inbox service in-process, driven by events the test makes: the overflow path loses nothing.
@Suite("inbox service")
struct InboxServiceTests {
    @Test("an overflow record decodes to a rescan; names decode from their padded buffers")
    func decode() {
        var bytes: [UInt8] = []
        func record(wd: Int32, mask: UInt32, name: String) {
            var nameBytes = Array(name.utf8)
            if !nameBytes.isEmpty { nameBytes += Array(repeating: 0, count: 16 - nameBytes.count % 16) }
            for value in [UInt32(bitPattern: wd), mask, 0, UInt32(nameBytes.count)] {
                bytes += withUnsafeBytes(of: value.littleEndian, Array.init)
            }
            bytes += nameBytes
        }
        record(wd: 1, mask: UInt32(IN_MOVED_TO), name: "plan.yaml")
        record(wd: -1, mask: UInt32(IN_Q_OVERFLOW), name: "")
        record(wd: 1, mask: UInt32(IN_CLOSE_WRITE), name: "other.json")
        record(wd: 1, mask: UInt32(IN_DELETE_SELF), name: "")
        #expect(
            InotifyWatcher.decode(bytes[...]) == [
                .file("plan.yaml"), .rescan(.overflow), .file("other.json"),
                .rescan(.inboxReplaced),
            ])
    }

    @Test("files whose events were lost are all taken on the overflow's rescan")
    func overflowRescan() async throws {
        let server = try await ScriptedServer.start()
        try await server.script(Array(repeating: ["reply": "```python\ndef one():\n    return 1\n```"], count: 30))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("overflow-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        var config = PipelineConfig()
        config.provider.baseURL = server.baseURL + "/v1"
        // Twenty plans' validations beside the other suites: at normal priority (see ValidationSettings.forTests).
        config.validation = .forTests
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = try ModelClient.make(
            settings: config.provider, rateLimiter: RateLimiter(), transport: CurlTransport(), environment: [:],
            logger: logger)
        let (events, continuation) = AsyncStream.makeStream(of: InboxEvent.self)
        let service = InboxService(
            inbox: folder + "/inbox", outbox: folder + "/outbox",
            services: EngineServices(config: config, client: client, logger: logger),
            logger: logger, events: { _ in (events, { continuation.finish() }) })
        let running = Task { try await service.run() }
        // Twenty plans arrive, but the only event is the overflow: no per-file event at all.
        for index in 0..<20 {
            try "plan: lost-\(index)\nlanguage: python\natoms:\n  - {id: one, name: one, description: d}\n".write(
                toFile: folder + "/inbox/lost-\(index).yaml", atomically: true, encoding: .utf8)
        }
        continuation.yield(.rescan(.overflow))
        let deadline = ContinuousClock.now + .seconds(120)
        func finished() -> Int {
            (0..<20).filter { FileManager.default.fileExists(atPath: folder + "/outbox/lost-\($0)/summary.json") }.count
        }
        while finished() < 20, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(25)) }
        #expect(finished() == 20)
        continuation.finish()
        try await running.value
        await server.server.stop()
    }

    @Test("a run was cut short when its progress says running, or says no state; stopped, finished or unknown: not")
    func cutShort() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cut-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(InboxService.wasCutShort(folder), "no progress.json: killed before it wrote one")
        for (text, cut) in [
            ("{\"state\": \"running\", \"plan\": \"p\"}", true), ("{\"plan\": \"p\"}", true), ("{\"sta", true),
            ("{\"state\": \"stopped\"}", false), ("{\"state\": \"finished\", \"new_field\": 1}", false),
            ("{\"state\": \"paused\"}", false),
        ] {
            try text.write(toFile: folder + "/progress.json", atomically: true, encoding: .utf8)
            #expect(InboxService.wasCutShort(folder) == cut, "\(text)")
        }
    }
}
