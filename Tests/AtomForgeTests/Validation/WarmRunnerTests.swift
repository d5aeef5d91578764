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

    @Test("a run that cannot be set up is no answer (its caller runs it in a fresh sandbox), and the runner goes on")
    func setupFailure() async throws {
        let runner = WarmRunner(sandbox: ToolRunner.standard(ValidationSettings.forTests).sandbox)
        // A file in a folder that is not there: writing the run's files fails before any of its code runs.
        let refused = await runner.run(
            ["x.py"], files: ["x.py": "print(1)", "missing/y.py": ""], timeout: .seconds(120), outputLimit: 1024)
        #expect(refused == nil, "a set-up failure is not the tests' result: \(String(describing: refused))")
        let next = try #require(
            await runner.run(["ok.py"], files: ["ok.py": "print('after')"], timeout: .seconds(120), outputLimit: 1024))
        #expect(next.exitCode == 0 && next.output == "after\n")
        #expect(await runner.starts == 1)
        await runner.shutdown()
    }

    @Test("a run starts and ends as a fresh interpreter: signals, threads joined, atexit, flushed output, its status")
    func endsAsInterpreter() async throws {
        let tools = ToolRunner.standard(ValidationSettings.forTests)
        let runner = WarmRunner(sandbox: tools.sandbox)
        let program = """
            import atexit, gc, signal, sys, threading, time
            names = {signal.SIG_IGN: "ignored", signal.SIG_DFL: "default", signal.default_int_handler: "python"}
            print("signals", [names.get(signal.getsignal(s), "other") for s in
                              (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)])
            held = [o for o in gc.get_objects() if isinstance(o, dict) and ("limits" in o or "files" in o)]
            print("requests reachable", len(held))
            atexit.register(lambda: print("atexit ran"))
            threading.Thread(target=lambda: (time.sleep(0.3), print("thread joined"))).start()
            sys.stdout.write("unflushed, ")
            sys.exit(3)
            """
        let warm = try #require(
            await runner.run(["p.py"], files: ["p.py": program], timeout: .seconds(120), outputLimit: 16_384))
        let cold = try await tools.run("python3", ["-I", "p.py"], files: ["p.py": program])
        #expect(warm.exitCode == 3 && warm.exitCode == cold.exitCode)
        #expect(warm.output == cold.output, "warm:\n\(warm.output)\ncold:\n\(cold.output)")
        #expect(warm.output.contains("requests reachable 0") && warm.output.contains("thread joined"))

        // Output past the limit is cut where the caller's limit says, as a fresh sandbox cuts it.
        var limited = tools
        limited.outputLimit = 100
        let loud = "print('x' * 5000)\nprint('end')"
        let warmCut = try #require(
            await runner.run(["l.py"], files: ["l.py": loud], timeout: .seconds(120), outputLimit: 100))
        let coldCut = try await limited.run("python3", ["-I", "l.py"], files: ["l.py": loud])
        #expect(warmCut.output == coldCut.output && warmCut.outputTail == coldCut.outputTail)
        #expect(warmCut.output.hasSuffix("(output cut at 100 bytes)") && warmCut.outputTail.hasSuffix("end\n"))
        await runner.shutdown()
    }

    @Test("a preloaded script runs as its file would, and only when the file holds that very text")
    func preloaded() async throws {
        let tools = ToolRunner.standard(ValidationSettings.forTests)
        let script = """
            import sys
            print("preloaded", __name__, sys.argv, __file__, __spec__, __package__, sys.modules["__main__"].__name__)
            """
        let runner = WarmRunner(sandbox: tools.sandbox, preloaded: ["s.py": script])
        let warm = try #require(
            await runner.run(["s.py", "a"], files: ["s.py": script], timeout: .seconds(120), outputLimit: 16_384))
        let cold = try await tools.run(
            "python3", ["-I", "-c", "import runpy; runpy.run_path('s.py', run_name='__main__')"],
            files: ["s.py": script])
        #expect(
            warm.exitCode == 0 && warm.output.hasPrefix("preloaded __main__ ['s.py', 'a'] s.py None"), "\(warm.output)")
        #expect(
            warm.output.replacingOccurrences(of: "['s.py', 'a']", with: "['s.py']")
                == cold.output.replacingOccurrences(
                    of: "['-c']", with: "['s.py']"), "warm: \(warm.output) cold: \(cold.output)")
        // Another text under the same name is that text, compiled from the file.
        let changed = try #require(
            await runner.run(["s.py"], files: ["s.py": "print('the file')"], timeout: .seconds(120), outputLimit: 1024))
        #expect(changed.output == "the file\n")
        await runner.shutdown()
    }

    @Test("a run ends when its program ends, what it left running killed; one that closes its output is still cut")
    func endOfProgram() async throws {
        let runner = WarmRunner(sandbox: ToolRunner.standard(ValidationSettings.forTests).sandbox)
        let leaver = "import os, time\nif os.fork() == 0:\n    time.sleep(600)\nprint('parent done')"
        let left = try #require(
            await runner.run(["l.py"], files: ["l.py": leaver], timeout: .seconds(120), outputLimit: 1024))
        #expect(left.exitCode == 0 && !left.timedOut && left.output == "parent done\n")
        let closer = "import os, time\nos.close(1)\nos.close(2)\ntime.sleep(600)"
        let closed = try #require(
            await runner.run(["c.py"], files: ["c.py": closer], timeout: .seconds(2), outputLimit: 1024))
        #expect(closed.timedOut)
        #expect(await runner.starts == 1)
        await runner.shutdown()
    }

    @Test("the run's init reaps orphans: more of them than the process limit come and go, as under bubblewrap")
    func orphansReaped() async throws {
        let tools = ToolRunner.standard(ValidationSettings.forTests)
        let runner = WarmRunner(sandbox: tools.sandbox)
        // Each orphan ends at once; unreaped, its zombie would count against the limit until the run ends.
        let program = """
            import os, time
            def fork():
                for _ in range(300):
                    try:
                        return os.fork()
                    except BlockingIOError:
                        time.sleep(0.01)
                raise SystemExit("fork kept failing: the orphans were not reaped")
            for _ in range(\(tools.sandbox.maxProcesses + 20)):
                child = fork()
                if child == 0:
                    if fork() == 0:
                        os._exit(0)
                    os._exit(0)
                os.waitpid(child, 0)
            print("all forked")
            """
        let run = try #require(
            await runner.run(["o.py"], files: ["o.py": program], timeout: .seconds(120), outputLimit: 4096))
        #expect(run.exitCode == 0 && run.output == "all forked\n", "\(run.output)")
        await runner.shutdown()
    }
}
