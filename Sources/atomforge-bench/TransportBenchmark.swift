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
            // Three rounds, each side in turn, so that both meet the same machine; the medians are reported.
            var ours: [(rps: Double, cpu: Double)] = []
            var theirs: [(rps: Double, cpu: Double)] = []
            let sent = requests / concurrency * concurrency
            for _ in 0..<3 {
                ours.append(
                    try await measure(pid: serverPID, requests: sent) {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for _ in 0..<concurrency {
                                group.addTask {
                                    for _ in 0..<(sent / concurrency) {
                                        let response = try await transport.send(request)
                                        precondition(response.status == 200, "server answered \(response.status)")
                                    }
                                }
                            }
                            try await group.waitForAll()
                        }
                    })
                theirs.append(
                    try await measure(pid: serverPID, requests: sent) {
                        let child = try await ChildProcess.spawn(
                            "curl",
                            [
                                "-s", "-o", "/dev/null", "--parallel", "--parallel-immediate", "--parallel-max",
                                "\(concurrency)", "-H", "Content-Type: application/json", "--data-binary",
                                "@\(bodyFile)",
                                "\(url)?n=[1-\(sent)]",
                            ], environment: ["PATH": "/usr/bin:/bin"])
                        let status = await child.wait()
                        precondition(status == 0, "curl failed with \(status)")
                    })
            }
            let median = { (runs: [(rps: Double, cpu: Double)]) in runs.sorted { $0.rps < $1.rps }[1] }
            report("transport_rps_atomforge_c\(concurrency)", median(ours).rps, "req/s")
            report("transport_server_cpu_atomforge_c\(concurrency)", median(ours).cpu, "%")
            report("transport_rps_curl_c\(concurrency)", median(theirs).rps, "req/s")
            report("transport_server_cpu_curl_c\(concurrency)", median(theirs).cpu, "%")
            report("transport_ratio_c\(concurrency)", median(ours).rps / median(theirs).rps, "x_curl")
        }
    }

    /// Requests per second of `work`, and the server's CPU use meanwhile (percent of one core).
    static func measure(
        pid: Int32, requests: Int, _ work: () async throws -> Void
    ) async throws -> (rps: Double, cpu: Double) {
        let cpuBefore = serverCPU(pid)
        let clock = ContinuousClock()
        let start = clock.now
        try await work()
        let elapsed = (clock.now - start).seconds
        return (Double(requests) / elapsed, (serverCPU(pid) - cpuBefore) / elapsed * 100)
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
