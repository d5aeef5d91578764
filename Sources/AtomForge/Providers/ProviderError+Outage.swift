extension ProviderError {
    /// True when the provider cannot serve any request at the moment, as opposed to a problem with this one request:
    /// nothing listening or no route to it (refused, unknown host, the connection dropped), a server error or
    /// overload, a rate limit that did not lift within the transport retries, or a key or model it refuses (401,
    /// 403, 404: every other atom would get the same answer). A run that meets one stops and keeps its unfinished
    /// atoms for later, rather than failing atoms the model never saw.
    ///
    /// Not an outage, so it fails only the atom it was for: a reply slower than `provider.timeout_s` (a long answer
    /// from a slow model), a 400 or 413 (a prompt too long), a reply too large, a TLS or URL problem (a setting to
    /// fix, which `atomforge ping` shows).
    public var isOutage: Bool {
        if code == .transport {
            guard let transportCode else { return false }
            return [.connectionRefused, .unresolvedHost, .connectionLost].contains(transportCode)
        }
        guard code == .httpStatus, let status else { return false }
        return status >= 500 || [401, 403, 404, 408, 429].contains(status)
    }
}
