import AtomForgeTestSupport
import Foundation
import Glibc
import Testing

@testable import AtomForge

/// Runs forked by the warm runner: each in its own namespaces and folder, as its own user, unable to see the
/// zygote or another run. (Every hostile program of the sandbox suite runs through it too, and must come to what a
/// fresh sandbox comes to.)
@Suite("warm runner")
struct WarmRunnerTests {
    @Test("runs at once each have a user, processes, a folder of their own; the zygote's files are out of sight")
    func ownEverything() async throws {
        #expect(getuid() == 0 && Sandbox.best == .bubblewrap, "CI runs as root with bubblewrap")
        let sandbox = ToolRunner.standard(ValidationSettings.forTests).sandbox
        let runner = WarmRunner(sandbox: sandbox)
        let probe = """
            import json, os, sys, time
            open("mine.txt", "w").write(sys.argv[1])
            time.sleep(1)  # both runs are alive at once
            def attempt(action):
                try:
                    return repr(action())
                except OSError as error:
                    return type(error).__name__
            parent = os.path.dirname(os.getcwd())
            print(json.dumps({
                "uid": os.getuid(), "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
                "parent": attempt(lambda: os.listdir(parent)),
                "zygote": attempt(lambda: open(os.path.join(parent, "zygote.py")).read()[:10]),
                "mine": open("mine.txt").read(), "files": sorted(os.listdir(".")),
                "tmp": sorted(os.listdir("/tmp")), "limits": open("/proc/self/limits").read(),
            }))
            """
        async let first = runner.run(
            ["probe.py", "first"], files: ["probe.py": probe], timeout: .seconds(120), outputLimit: 16_384)
        async let second = runner.run(
            ["probe.py", "second"], files: ["probe.py": probe], timeout: .seconds(120), outputLimit: 16_384)
        let runs = [try #require(await first), try #require(await second)]
        var users: Set<Int> = []
        for (run, name) in zip(runs, ["first", "second"]) {
            #expect(run.exitCode == 0, "\(run.output)")
            let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
            users.insert(seen["uid"] as? Int ?? 0)
            #expect(seen["mine"] as? String == name)
            #expect(seen["files"] as? [String] == ["mine.txt", "probe.py"], "no other run's files")
            #expect(seen["tmp"] as? [String] == ["atomforge-0"], "a /tmp of its own, with only its folder's parent")
            #expect((seen["pids"] as? [Int] ?? []).allSatisfy { $0 <= 3 }, "its own processes only: \(seen["pids"]!)")
            #expect(seen["parent"] as? String == "PermissionError")
            #expect(seen["zygote"] as? String == "FileNotFoundError")
            let limits = seen["limits"] as? String ?? ""
            #expect(limits.contains("Max processes") && limits.contains("\(sandbox.maxProcesses)"), "\(limits)")
        }
        #expect(!users.contains(0) && users.count == 2, "a user of its own each: \(users)")
        #expect(await runner.starts == 1)
        await runner.shutdown()
    }

    @Test("a run past its timeout is killed with everything it forked, and the runner goes on")
    func timeout() async throws {
        let runner = WarmRunner(sandbox: ToolRunner.standard(ValidationSettings.forTests).sandbox)
        let endless = "import os, time\nos.fork()\nwhile True:\n    time.sleep(0.1)"
        let cut = try #require(
            await runner.run(["loop.py"], files: ["loop.py": endless], timeout: .seconds(2), outputLimit: 1024))
        #expect(cut.timedOut)
        let next = try #require(
            await runner.run(
                ["ok.py"], files: ["ok.py": "print('after')"], timeout: .seconds(120), outputLimit: 1024))
        #expect(next.exitCode == 0 && next.output == "after\n")
        #expect(await runner.starts == 1)
        await runner.shutdown()
    }
}
