import AtomForgeSystem

extension ProviderError {
    /// True when the provider cannot serve any request at the moment, as opposed to a problem with this one request:
    /// nothing listening or no route to it (refused, unknown host, the connection dropped), no answer within
    /// `provider.timeout_s` on any of the transport retries (a stalled or overloaded server: every other atom would
    /// wait as long; a model that is merely slow needs a longer `timeout_s`, which the message says), a server error
    /// or overload, a rate limit that did not lift within the transport retries, a key or model it refuses (401,
    /// 403, 404: every other atom would get the same answer), or replies not in the API's shape on every retry (an
    /// HTML page from a proxy in front of it, garbled bytes). A run that meets one stops and keeps its unfinished
    /// atoms for later, rather than failing atoms the model never saw.
    ///
    /// Not an outage, so it fails only the atom it was for: a 400 or 413 (a prompt too long), a reply too large, a
    /// TLS or URL problem (a setting to fix, which `atomforge ping` shows).
    public var isOutage: Bool {
        if code == .malformedReply { return true }
        if code == .transport {
            guard let transportCode else { return false }
            return [.connectionRefused, .unresolvedHost, .connectionLost, .timedOut].contains(transportCode)
        }
        guard code == .httpStatus, let status else { return false }
        return status >= 500 || [401, 403, 404, 408, 429].contains(status)
    }
}
