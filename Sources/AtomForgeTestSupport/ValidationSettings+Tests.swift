import AtomForge

extension ValidationSettings {
    /// Settings for tests that run the real toolchains and expect them to finish: the product's default timeout is
    /// ample for one `tsc` or `swiftc`, but CI runs them beside dozens of other suites on two cores, where a cold
    /// `tsc` has taken more than 30 seconds. The tests about the clock set their own short timeout. The code runs at
    /// the test process's own priority: `validation.nice` lets a model server go first, and among dozens of suites
    /// at normal priority it would leave the tests' programs a sliver of the CPU. The test of `nice` sets it.
    public static var forTests: ValidationSettings {
        var settings = ValidationSettings()
        settings.timeoutSeconds = 300
        settings.nice = 0
        return settings
    }
}
