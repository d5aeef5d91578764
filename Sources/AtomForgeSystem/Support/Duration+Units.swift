/// A `Duration` in the units reports and libcurl use.
extension Duration {
    /// The duration in seconds, as reports state it.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole milliseconds, at least 1, as libcurl's `long` options take them.
    package var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
