import AtomForgeTestSupport
import Foundation
import Glibc
import Testing

@testable import AtomForge

/// Hostile generated code, run as an atom's tests: each is contained, reported, and the run goes on.
@Suite("sandbox")
struct SandboxTests {
    /// The timeout is generous: most tests here expect the code to finish, and CI runs them beside many others on two
    /// cores. The tests about the clock set their own short one. The code runs at normal priority (at
    /// `validation.nice` among dozens of busy suites it could wait past any timeout); the test of `nice` sets it.
    var settings: ValidationSettings {
        var settings = ValidationSettings()
        settings.timeoutSeconds = 30
        settings.memoryMB = 512
        settings.nice = 0
        return settings
    }

    func run(
        _ code: String, tests: String, language: String = "python", isolation: Sandbox.Isolation = .auto,
        adjusting adjust: (inout ValidationSettings) -> Void = { _ in }, comparing: Bool = true
    ) async -> [ValidationIssue] {
        let atom = Atom(
            id: "hostile", name: "hostile", description: "d", file: "hostile.py", language: .named(language),
            tests: tests)
        var settings = settings
        settings.isolation = isolation
        adjust(&settings)
        let subject = ValidationSubject(atom: atom, code: code, dependencyCode: [])
        // Python's tests run forked by a warm runner where it can (bubblewrap, root), else in a fresh sandbox: each
        // hostile program goes through both, with a runner of its own, and must come to the same.
        var cold = ToolRunner.standard(settings)
        cold.warmParser = nil
        cold.warmRunner = nil
        let coldFound = await ValidatorChain.standard(settings, runner: cold).validate(subject)
        var warm = cold
        guard language == "python",
            let forking = WarmRunner.shared(sandbox: cold.sandbox).map({ _ in
                WarmRunner(sandbox: cold.sandbox)
            })
        else { return coldFound }
        warm.warmRunner = forking
        // Parsed as the daemon parses, by the long-lived parser: a fresh sandbox's parse of the code can take longer
        // than these tests' short timeouts on a loaded machine, and would stop the chain before the tests run.
        warm.warmParser = WarmParser.shared(sandbox: cold.sandbox, timeout: .seconds(300))
        let warmFound = await ValidatorChain.standard(settings, runner: warm).validate(subject)
        let fallback = await forking.lastFallback ?? ""
        #expect(await forking.answered > 0, "the warm runner ran it (no fall-back to a fresh sandbox): \(fallback)")
        await forking.shutdown()
        if comparing {
            #expect(
                Self.comparable(warmFound) == Self.comparable(coldFound), "the warm runner and a fresh sandbox agree")
        } else {
            #expect(!coldFound.isEmpty, "a fresh sandbox fails it too")
        }
        return warmFound
    }

    /// Issues with what differs between two runs taken out: the scratch folders' paths, the harness's token.
    static func comparable(_ issues: [ValidationIssue]) -> [String] {
        issues.map {
            "\($0.validator): "
                + $0.message.replacing(/\/tmp\/atomforge-\d+\/[^\s'"]+/, with: "<scratch>")
                .replacing(/atomforge-tests-finished-[0-9a-f]+/, with: "<token>")
        }
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
        // The loop never ends: that the run comes back at all is the cut, and the message says it was the clock.
        // (No bound on the test's own time: CI runs it beside the other suites on two cores. Nor a comparison of the
        // two ways' messages: with 5 s for every check, a loaded machine can cut a fresh sandbox's syntax check too.)
        let found = await run(
            "def hostile():\n    while True:\n        pass", tests: "hostile()", adjusting: { $0.timeoutSeconds = 5 },
            comparing: false)
        #expect(found.map(\.message).contains { $0.contains("did not finish within") }, "\(found)")
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
        let server = try await ScriptedServer.start()
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
        let found = await run(code, tests: "hostile()", adjusting: { $0.timeoutSeconds = 5 }, comparing: false)
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

    @Test("the code runs at validation.nice, below the model server, warm runner and fresh sandbox alike")
    func niceness() async {
        #expect(ValidationSettings().nice == 10, "the default")
        #expect(
            await run(
                "import os\ndef hostile():\n    return os.nice(0)", tests: "assert hostile() == 10",
                adjusting: { $0.nice = 10 }
            ).isEmpty)
        let found = await run(
            "import os\ndef hostile():\n    return os.nice(0)", tests: "assert hostile() == 10",
            adjusting: { $0.nice = 3 })
        #expect(found.first?.message.contains("3") == true, "\(found)")
    }

    @Test("printing 100 MB stops the program at what a run may write, and says so (not 'ended before its tests')")
    func hugeOutput() async {
        let found = await run(
            "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * (1 << 20))\ndef hostile():\n    return 1",
            tests: "assert hostile() == 1")
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.message.contains("wrote 64 MB of output, all a run may write") == true, "\(found)")
    }

    @Test("the scratch folder is private to the program, and other runs' folders cannot be listed")
    func privateScratch() async {
        let found = await run(
            "import os\ndef hostile():\n    return os.stat(os.getcwd()).st_mode & 0o777",
            tests: """
                assert hostile() == 0o700, oct(hostile())
                parent = os.path.dirname(os.getcwd())
                assert os.path.basename(parent).startswith('atomforge-'), parent
                try:
                    others = [name for name in os.listdir(parent) if name != os.path.basename(os.getcwd())]
                except PermissionError:
                    others = []
                assert others == [], others
                """)
        #expect(found.isEmpty, "\(found)")
    }

    @Test("folders left by a process that is gone are removed; a live process's are kept")
    func leftovers() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("scratch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: parent) }
        for name in ["999999999-dead", "\(getpid())-alive", "1-init"] {
            try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: true)
        }
        Scratch.removeLeftovers(in: parent, olderThan: 3600)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: parent)).count == 3, "young ones are kept")
        Scratch.removeLeftovers(in: parent, olderThan: -1)
        #expect(
            Set(try FileManager.default.contentsOfDirectory(atPath: parent)) == ["\(getpid())-alive", "1-init"])
    }

    @Test("under bubblewrap the code sees a minimal root: no host file outside it, no host socket, no /root or /var")
    func minimalRoot() async throws {
        let token = UUID().uuidString
        let secret = "/var/tmp/atomforge-secret-\(token)"
        try "other plan's code".write(toFile: secret, atomically: false, encoding: .utf8)
        defer { unlink(secret) }
        // A host Unix socket outside /tmp, listening: a container runtime's or a model server's would be like it.
        let socketPath = "/var/tmp/atomforge-socket-\(token)"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer {
            close(listener)
            unlink(socketPath)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0 && listen(listener, 4) == 0)
        let found = await run(
            """
            import os, socket
            def hostile():
                seen = []
                try:
                    seen.append(open('\(secret)').read())
                except OSError:
                    pass
                try:
                    s = socket.socket(socket.AF_UNIX)
                    s.connect('\(socketPath)')
                    seen.append('connected')
                except OSError:
                    pass
                for folder in ['/var', '/run', '/home', '/srv']:
                    if os.path.exists(folder) and os.listdir(folder):
                        seen.append(folder)
                if os.path.exists('/root') and any(n != '.pyenv' for n in os.listdir('/root')):
                    seen.append('/root')
                return seen
            """,
            tests: "seen = hostile()\nassert seen == [], seen")
        #expect(found.isEmpty, "\(found)")
    }

    /// A small scratch size keeps the fill quick on a loaded machine; the timeout is generous because it is not what
    /// this test is about: the write must fail on the size, never run into the clock.
    @Test("filling the scratch folder fails the attempt cleanly, on a tmpfs of its size")
    func fillScratch() async {
        let found = await run(
            """
            def hostile():
                for index in range(8):
                    with open(f'fill{index}', 'wb') as handle:
                        handle.write(b'x' * (4 << 20))
            """,
            tests: "hostile()",
            adjusting: { $0.scratchMB = 16 })
        #expect(found.first?.message.contains("No space left on device") == true, "\(found)")
        let check = await run("def hostile():\n    return 1", tests: "assert hostile() == 1")
        #expect(check.isEmpty, "the next run has its own scratch folder: \(check)")
    }

    /// What each level protects, as docs/sandbox.md's table says: (network closed, host files hidden, host writes
    /// refused). `unshare` runs only as root; CI runs as root, so all three are tried there.
    static let promises: [(Sandbox.Isolation, network: Bool, reads: Bool, writes: Bool)] = [
        (.bubblewrap, true, true, true), (.unshare, true, false, false), (.none, false, false, false),
    ].filter { $0.0 != .unshare || getuid() == 0 }

    @Test("each isolation level holds what docs/sandbox.md promises, and no more is claimed", arguments: promises)
    func levels(_ promise: (Sandbox.Isolation, network: Bool, reads: Bool, writes: Bool)) async throws {
        let server = try await ScriptedServer.start()
        let token = UUID().uuidString
        let secret = "/var/tmp/atomforge-level-secret-\(token)"
        let written = "/var/tmp/atomforge-level-written-\(token)"
        try "another plan's code".write(toFile: secret, atomically: false, encoding: .utf8)
        defer {
            unlink(secret)
            unlink(written)
        }
        let found = await run(
            """
            import socket
            def hostile():
                seen = {}
                try:
                    socket.create_connection(('127.0.0.1', \(server.server.port)), timeout=3).close()
                    seen['network'] = True
                except OSError:
                    seen['network'] = False
                try:
                    seen['read'] = open('\(secret)').read() == "another plan's code"
                except OSError:
                    seen['read'] = False
                try:
                    open('\(written)', 'w').write('x')
                    seen['write'] = True
                except OSError:
                    seen['write'] = False
                return seen
            """,
            tests: """
                seen = hostile()
                assert seen == {'network': \(!promise.network ? "True" : "False"), \
                'read': \(!promise.reads ? "True" : "False"), 'write': \(!promise.writes ? "True" : "False")}, seen
                """, isolation: promise.0)
        #expect(found.isEmpty, "\(promise.0): \(found)")
        #expect(FileManager.default.fileExists(atPath: written) == !promise.writes)
        await server.server.stop()
    }
}
