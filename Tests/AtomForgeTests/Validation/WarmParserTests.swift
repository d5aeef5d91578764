import AtomForgeTestSupport
import Foundation
import Glibc
import Testing

@testable import AtomForge

/// The long-lived Python parser in the sandbox: the same answers as a fresh `python3`, a new process after one that
/// died or hung, and the sandbox's containment.
@Suite("warm parser")
struct WarmParserTests {
    /// A runner with a parser of its own (not the process's shared one), so that restarts are this test's.
    func runners(timeout: Duration = .seconds(300)) -> (warm: ToolRunner, cold: ToolRunner, parser: WarmParser) {
        var cold = ToolRunner.standard(ValidationSettings.forTests)
        cold.warmParser = nil
        cold.timeout = timeout
        var warm = cold
        let parser = WarmParser(sandbox: cold.sandbox, timeout: timeout)
        warm.warmParser = parser
        return (warm, cold, parser)
    }

    static let replies = [
        "import re\n\nLIMIT = 3\n\ndef f(x):\n    return re.sub('a', 'b', x)\n\nprint(f('a'))\nassert f('a') == 'b'",
        "def f(x):\n    return x +\n",
        "def f(x):\n    return '\\d'\n\nif __name__ == '__main__':\n    f(1)",
        "x = (" + String(repeating: "(", count: 300) + String(repeating: ")", count: 301),
        "def f():\n\treturn 1\n        return 2",
    ]

    @Test("the unit extraction and the syntax check answer as a fresh python3 does", arguments: replies)
    func sameAnswers(reply: String) async {
        let (warm, cold, parser) = runners()
        let python = Language.named("python")
        let warmUnit = await UnitExtractor(runner: warm).unit(of: reply, language: python, name: "f")
        let coldUnit = await UnitExtractor(runner: cold).unit(of: reply, language: python, name: "f")
        #expect(warmUnit == coldUnit)
        let atom = Atom(id: "f", name: "f", description: "d", file: "f.py", language: python)
        let subject = ValidationSubject(atom: atom, code: reply, dependencyCode: [])
        let check = python.syntaxCheck!
        let warmIssues = await SyntaxValidator(python, check: check, runner: warm).validate(subject)
        let coldIssues = await SyntaxValidator(python, check: check, runner: cold).validate(subject)
        #expect(warmIssues.map(\.message) == coldIssues.map(\.message))
        #expect(await parser.starts == 1, "one process served every check")
        await parser.shutdown()
    }

    @Test("a parser that dies is replaced by the next call")
    func restartsAfterDying() async throws {
        let (_, _, parser) = runners()
        let died = await parser.run(
            script: "import os\nos._exit(3)", arguments: [], files: [:], ignoringWarnings: false)
        #expect(died == nil)
        let answer = await parser.run(
            script: "import sys\nprint(open(sys.argv[1]).read().upper())\nsys.exit(4)", arguments: ["in.txt"],
            files: ["in.txt": "abc"], ignoringWarnings: false)
        #expect(answer?.exit == 4)
        #expect(answer?.output == "ABC\n")
        #expect(await parser.starts == 2)
        await parser.shutdown()
    }

    @Test("a parser that hangs is ended at the timeout, and the call falls back to a fresh python3")
    func hang() async throws {
        let (warm, _, parser) = runners(timeout: .seconds(5))
        let hung = await parser.run(
            script: "import time\ntime.sleep(600)", arguments: [], files: [:], ignoringWarnings: false)
        #expect(hung == nil)
        // Through the runner the same hang ends this parser's second process, then runs in a fresh python3, cut at
        // the runner's timeout.
        let fallback = try await warm.runParseScript("import time\ntime.sleep(600)", [], files: [:])
        #expect(fallback.timedOut)
        #expect(await parser.starts == 2)
        await parser.shutdown()
    }

    @Test("the parser's process is in the sandbox: no network, no host files, none of AtomForge's environment")
    func contained() async throws {
        #expect(Sandbox.best == .bubblewrap, "CI runs the sandbox at its strongest")
        let (_, _, parser) = runners()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        listen(listener, 1)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        defer { close(listener) }
        let port = UInt16(bigEndian: address.sin_port)
        let probe = """
            import os, socket, json
            try:
                socket.create_connection(("127.0.0.1", \(port)), timeout=3)
                network = "connected"
            except OSError as error:
                network = type(error).__name__
            print(json.dumps({"root": sorted(os.listdir("/")), "uid": os.getuid(), "network": network,
                              "environment": sorted(os.environ)}))
            """
        let answer = try #require(await parser.run(script: probe, arguments: [], files: [:], ignoringWarnings: false))
        let seen = try JSONSerialization.jsonObject(with: Data(answer.output.utf8)) as? [String: Any]
        let root = seen?["root"] as? [String] ?? []
        #expect(!root.contains("root") && !root.contains("home") && !root.contains("var"), "\(root)")
        #expect(seen?["network"] as? String != "connected")
        let environment = Set(seen?["environment"] as? [String] ?? [])
        #expect(environment.isSubset(of: ["PATH", "HOME", "TMPDIR", "LANG", "PWD"]), "\(environment)")
        if getuid() == 0 { #expect(seen?["uid"] as? Int != 0, "a user of its own") }
        await parser.shutdown()
    }
}
