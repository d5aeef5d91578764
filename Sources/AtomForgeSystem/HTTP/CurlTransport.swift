import CLibCurl
import Foundation
import Synchronization

/// The HTTP transport over libcurl: one `curl_multi` event loop on a thread of its own drives every transfer.
///
/// `curl_easy_perform` blocks, so no libcurl call ever runs on Swift's cooperative pool: callers enqueue a request
/// and suspend on a continuation; the loop thread adds it to the multi handle, and resumes the caller when it is
/// done. One loop serves all concurrent requests, connections are reused from the multi handle's cache, and
/// cancellation is immediate: `curl_multi_wakeup` (documented thread-safe) interrupts the loop's poll.
/// TLS peer and host verification stay at libcurl's defaults (on).
public final class CurlTransport: HTTPTransport, Sendable {
    /// Replies larger than this are refused; no model reply comes near it.
    public static let maximumResponseSize = 32 * 1024 * 1024

    private let loop: CurlLoop

    public init() {
        loop = CurlLoop()
    }

    deinit {
        loop.shutdown()
    }

    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let id = loop.nextID()
        let result: Result<HTTPResponse, HTTPError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loop.submit(CurlLoop.Submission(id: id, request: request, continuation: continuation))
            }
        } onCancel: {
            loop.cancel(id)
        }
        loop.forget(id)
        return try result.get()
    }
}

/// The loop thread and the queues other threads talk to it through.
final class CurlLoop: Sendable {
    struct Submission: Sendable {
        var id: UInt64
        var request: HTTPRequest
        var continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>
    }

    private struct Inbox {
        var nextID: UInt64 = 0
        var submissions: [Submission] = []
        var cancellations: Set<UInt64> = []
        var running = true
    }

    private let inbox = Mutex(Inbox())
    /// `CURLM *`; used only on the loop thread, apart from `curl_multi_wakeup`.
    nonisolated(unsafe) private let multi: UnsafeMutableRawPointer

    init() {
        CurlGlobal.initialize()
        multi = curl_multi_init()
        let thread = Thread { [self] in run() }
        thread.name = "atomforge-curl"
        thread.start()
    }

    func nextID() -> UInt64 {
        inbox.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    func submit(_ submission: Submission) {
        let accepted = inbox.withLock { state in
            guard state.running else { return false }
            state.submissions.append(submission)
            return true
        }
        if accepted {
            curl_multi_wakeup(multi)
        } else {
            submission.continuation.resume(returning: .failure(HTTPError(.cancelled, "the transport has shut down")))
        }
    }

    func cancel(_ id: UInt64) {
        inbox.withLock { _ = $0.cancellations.insert(id) }
        curl_multi_wakeup(multi)
    }

    /// Drops a cancellation that arrived after its transfer had finished.
    func forget(_ id: UInt64) {
        inbox.withLock { _ = $0.cancellations.remove(id) }
    }

    func shutdown() {
        inbox.withLock { $0.running = false }
        curl_multi_wakeup(multi)
    }

    /// The loop thread's body: add new transfers, drop cancelled ones, drive libcurl, finish completed ones.
    ///
    /// Finished easy handles are reset and kept for the next request (up to ``idleLimit``) rather than freed and
    /// made again; connections live in the multi handle's cache either way.
    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var idle: [UnsafeMutableRawPointer] = []
        let idleLimit = 64
        func recycle(_ easy: UnsafeMutableRawPointer) {
            if idle.count < idleLimit {
                curl_easy_reset(easy)
                idle.append(easy)
            } else {
                curl_easy_cleanup(easy)
            }
        }
        while true {
            let (submissions, cancellations, running) = inbox.withLock { state in
                defer { state.submissions.removeAll() }
                return (state.submissions, state.cancellations, state.running)
            }
            for submission in submissions {
                if cancellations.contains(submission.id) {
                    submission.continuation.resume(returning: .failure(HTTPError(.cancelled)))
                    continue
                }
                guard let easy = idle.popLast() ?? curl_easy_init() else {
                    submission.continuation.resume(returning: .failure(HTTPError(.other, "curl_easy_init failed")))
                    continue
                }
                switch CurlTransfer.make(submission, easy: easy) {
                case .success(let transfer):
                    curl_multi_add_handle(multi, transfer.easy)
                    active[transfer.easy] = transfer
                case .failure(let error):
                    recycle(easy)
                    submission.continuation.resume(returning: .failure(error))
                }
            }
            for (easy, transfer) in active where cancellations.contains(transfer.id) || !running {
                curl_multi_remove_handle(multi, easy)
                active[easy] = nil
                transfer.finish(.failure(HTTPError(.cancelled)))
                recycle(easy)
            }
            if !running { break }

            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let transfer = active.removeValue(forKey: easy)
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                transfer.complete(code)
                recycle(easy)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        idle.forEach { curl_easy_cleanup($0) }
        curl_multi_cleanup(multi)
    }
}

/// `curl_global_init` must run once before any other libcurl call.
enum CurlGlobal {
    private static let once: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    static func initialize() { _ = once }
}
