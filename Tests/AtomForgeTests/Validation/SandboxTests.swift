import Foundation
import Glibc
import Testing

@testable import AtomForge

/// Hostile generated code, run as an atom's tests: each is contained, reported, and the run goes on.
@Suite("sandbox")
struct SandboxTests {
    var settings: ValidationSettings {
        var settings = ValidationSettings()
        settings.timeoutSeconds = 5
        settings.memoryMB = 512
        return settings
    }

    func run(_ code: String, tests: String, language: String = "python") async -> [ValidationIssue] {
        let atom = Atom(
            id: "hostile", name: "hostile", description: "d", file: "hostile.py", language: .named(language),
            tests: tests)
        return await ValidatorChain.standard(settings).validate(
            ValidationSubject(atom: atom, code: code, dependencyCode: []))
    }

    @Test("the strongest isolation of this machine is in force and named in reports")
    func isolation() {
        #expect(Sandbox.best == .bubblewrap, "CI installs bubblewrap: scripts/install-deps")
        #expect(ValidatorChain.standard(settings).isolation.hasPrefix("bubblewrap: no network"))
    }

    @Test("reading every environment variable shows no API key")
    func environment() async {
        setenv("ANTHROPIC_API_KEY", "sk-ant-sandbox-test-secret", 1)
        defer { unsetenv("ANTHROPIC_API_KEY") }
        let found = await run(
            "import os\ndef hostile():\n    return dict(os.environ)",
            tests:
                "env = hostile()\nassert not any('sk-ant-sandbox' in v for v in env.values()), env\nassert set(env) - {'PWD'} == {'HOME', 'LANG', 'PATH', 'TMPDIR'}, sorted(env)"
        )
        #expect(found.isEmpty, "\(found)")
    }

    @Test("an endless loop is cut at the timeout")
    func endlessLoop() async {
        let clock = ContinuousClock()
        let start = clock.now
        let found = await run("def hostile():\n    while True:\n        pass", tests: "hostile()")
        #expect(found.map(\.message).contains { $0.contains("did not finish within") })
        #expect(clock.now - start < .seconds(30))
    }

    @Test("writing outside the scratch folder leaves no file")
    func writeOutside() async {
        let marker = "/tmp/atomforge-escape-\(UUID().uuidString)"
        let home = RepositoryFiles.path(".escape-\(UUID().uuidString)")
        _ = await run(
            "def hostile(path):\n    open(path, 'w').write('x')",
            tests: "for p in ['\(marker)', '\(home)']:\n    try:\n        hostile(p)\n    except OSError:\n        pass"
        )
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(!FileManager.default.fileExists(atPath: home))
    }

    @Test("connecting to a port on 127.0.0.1 is refused")
    func network() async throws {
        let server = ScriptedServer(try await ServerProcess.scripted())
        let found = await run(
            "import socket\ndef hostile():\n    return socket.create_connection(('127.0.0.1', \(server.server.port)), timeout=3)",
            tests: "hostile()")
        #expect(found.first?.message.contains("Error") == true, "\(found)")
        #expect(try await server.requests().isEmpty)
        await server.server.stop()
    }

    @Test("a fork bomb is contained, and nothing it forked outlives the run")
    func forkBomb() async {
        // Every process of the bomb carries this name (forked children inherit it), so survivors can be found.
        let name = "bomb" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let code = """
            import ctypes, os
            def hostile():
                ctypes.CDLL(None).prctl(15, b"\(name)")
                while True:
                    os.fork()
            """
        let found = await run(code, tests: "hostile()")
        #expect(!found.isEmpty)
        func survivors() -> Int {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
            return pids.filter {
                (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix(name) == true
            }.count
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while survivors() > 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        #expect(survivors() == 0, "no process of the fork bomb outlives the run")
        let check = await run("def hostile():\n    return 1", tests: "assert hostile() == 1")
        #expect(check.isEmpty, "the machine still runs validators after the fork bomb: \(check)")
    }

    @Test("allocating 10 GB fails the attempt, not the run")
    func memory() async {
        let found = await run("def hostile():\n    return bytearray(10 * 1024 ** 3)", tests: "hostile()")
        #expect(found.first?.message.contains("MemoryError") == true, "\(found)")
    }
}
