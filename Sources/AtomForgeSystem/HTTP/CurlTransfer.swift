import CLibCurl
import Foundation

/// One request in flight: its easy handle, the reply being collected, and the caller to resume.
///
/// Touched only by the loop thread once created. libcurl reaches it from its C callbacks through an unmanaged
/// pointer, which stays valid because the loop's table of active transfers holds a strong reference.
final class CurlTransfer {
    let id: UInt64
    let easy: UnsafeMutableRawPointer
    private let continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    fileprivate var body: [UInt8] = []
    fileprivate var headers: [(name: String, value: String)] = []
    fileprivate var tooLarge = false
    private var resumed = false

    private init(
        id: UInt64, easy: UnsafeMutableRawPointer,
        continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>
    ) {
        self.id = id
        self.easy = easy
        self.continuation = continuation
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    /// The easy handle goes back to the loop's pool (``CurlLoop``), which resets it for the next request.
    deinit {
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// `easy` set up for `submission`, or the reason it cannot be.
    static func make(_ submission: CurlLoop.Submission, easy: UnsafeMutableRawPointer) -> Result<
        CurlTransfer, HTTPError
    > {
        let transfer = CurlTransfer(id: submission.id, easy: easy, continuation: submission.continuation)
        let request = submission.request
        let this = Unmanaged.passUnretained(transfer).toOpaque()
        var ok = true
        func set(_ code: CURLcode) { ok = ok && code == CURLE_OK }
        set(atomforge_curl_easy_setopt_string(easy, CURLOPT_URL, request.url))
        set(atomforge_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        set(atomforge_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(atomforge_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, request.timeout.milliseconds))
        set(atomforge_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.milliseconds))
        set(atomforge_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer))
        set(atomforge_curl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody))
        set(atomforge_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, this))
        set(atomforge_curl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        set(atomforge_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, this))
        if request.method == .post {
            set(atomforge_curl_easy_setopt_long(easy, CURLOPT_POST, 1))
            set(atomforge_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            request.body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies the bytes now; the Swift array need not outlive this call.
                let pointer = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                set(atomforge_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, pointer))
            }
        }
        // An empty "Expect:" stops libcurl from waiting for "100 Continue" before sending a larger body.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            transfer.headerList = curl_slist_append(transfer.headerList, line)
        }
        set(atomforge_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, transfer.headerList))
        guard ok else {
            return .failure(HTTPError(.invalidURL, "libcurl refused the request options for \(request.url)"))
        }
        return .success(transfer)
    }

    /// Called by the loop when libcurl reports the transfer done, successfully or not.
    func complete(_ code: CURLcode) {
        guard code == CURLE_OK else {
            finish(.failure(error(for: code)))
            return
        }
        var status = 0
        var connections = 0
        _ = atomforge_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        _ = atomforge_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connections)
        finish(.success(HTTPResponse(status: status, headers: headers, body: body, connectionsOpened: connections)))
    }

    func finish(_ result: Result<HTTPResponse, HTTPError>) {
        guard !resumed else { return }
        resumed = true
        continuation.resume(returning: result)
    }

    private func error(for code: CURLcode) -> HTTPError {
        let detail = errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(code)) : String(cString: errorBuffer)
        switch code {
        case CURLE_COULDNT_CONNECT: return HTTPError(.connectionRefused, detail)
        case CURLE_OPERATION_TIMEDOUT: return HTTPError(.timedOut, detail)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return HTTPError(.unresolvedHost, detail)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2,
            CURLE_HTTP2_STREAM:
            return HTTPError(.connectionLost, detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return HTTPError(.tls, detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return HTTPError(.invalidURL, detail)
        case CURLE_WRITE_ERROR where tooLarge:
            return HTTPError(.responseTooLarge, "the reply exceeded \(CurlTransport.maximumResponseSize) bytes")
        default: return HTTPError(.other, "curl error \(code.rawValue): \(detail)")
        }
    }
}

/// libcurl's body callback: appends to the transfer's buffer; returning less than given aborts the transfer.
private func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard transfer.body.count + length <= CurlTransport.maximumResponseSize else {
        transfer.tooLarge = true
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        transfer.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

/// libcurl's header callback: one header line per call; a new status line starts a new set of headers.
private func curlWriteHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        transfer.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        transfer.headers.append((name, value))
    }
    return length
}
