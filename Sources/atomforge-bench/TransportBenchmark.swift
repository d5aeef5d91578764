import AtomForge
import Foundation

/// Requests per second through the libcurl transport against a local OpenAI-compatible server, next to
/// `curl --parallel` at the same concurrency against the same server, with the server's CPU use beside each.
enum TransportBenchmark {
    static func run(baseURL: String, serverPID: Int32, requests: Int, report: (String, Double, String) -> Void)
        async throws
    {
        let url = baseURL + "/v1/chat/completions"
        let body = #"{"model":"bench","messages":[{"role":"user","content":"ping"}],"max_tokens":8}"#
        let bodyFile = NSTemporaryDirectory() + "/atomforge-bench-body-\(getpid()).json"
        try body.write(toFile: bodyFile, atomically: true, encoding: .utf8)
        defer { unlink(bodyFile) }
        let transport = CurlTransport()
        let request = HTTPRequest(
            method: .post, url: url, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        for concurrency in [1, 16, 64] {
            // AtomForge's transport.
            let cpuBefore = serverCPU(serverPID)
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                let perWorker = requests / concurrency
                for _ in 0..<concurrency {
                    group.addTask {
                        for _ in 0..<perWorker {
                            let response = try await transport.send(request)
                            precondition(response.status == 200, "server answered \(response.status)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = (clock.now - start).seconds
            let sent = Double(requests / concurrency * concurrency)
            report("transport_rps_atomforge_c\(concurrency)", sent / elapsed, "req/s")
            report(
                "transport_server_cpu_atomforge_c\(concurrency)", (serverCPU(serverPID) - cpuBefore) / elapsed * 100,
                "%")

            // curl --parallel, same server, same concurrency, same number of requests.
            let curlBefore = serverCPU(serverPID)
            let curlStart = clock.now
            let child = try ChildProcess.spawn(
                "curl",
                [
                    "-s", "-o", "/dev/null", "--parallel", "--parallel-immediate", "--parallel-max", "\(concurrency)",
                    "-H", "Content-Type: application/json", "--data-binary", "@\(bodyFile)",
                    "\(url)?n=[1-\(Int(sent))]",
                ], environment: ["PATH": "/usr/bin:/bin"])
            let status = await child.wait()
            let curlElapsed = (clock.now - curlStart).seconds
            precondition(status == 0, "curl failed with \(status)")
            report("transport_rps_curl_c\(concurrency)", sent / curlElapsed, "req/s")
            report(
                "transport_server_cpu_curl_c\(concurrency)", (serverCPU(serverPID) - curlBefore) / curlElapsed * 100,
                "%")
            report("transport_ratio_c\(concurrency)", curlElapsed / elapsed, "x_curl")
        }
    }

    /// CPU seconds the process `pid` has used (user + system), from /proc.
    static func serverCPU(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3; utime and stime are fields 14 and 15.
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
    }
}
