// The commands, the benchmark and the tests import `AtomForge` alone and see every layer's public API through it.
@_exported import AtomForgeGeneration
@_exported import AtomForgeModel
@_exported import AtomForgeOutbox
@_exported import AtomForgeSystem
