/// The programs AtomForge runs beside generated code (test harnesses, suite drivers, behaviour probes, the warm
/// runner) live as files of their own language under a `Scripts/` folder, where that language's tools lint and
/// test them (`scripts/test`), and are compiled into the binary (Package.swift's `embedInCode`), so that the
/// binary needs no files beside it and a script cannot differ from the one that was tested.
enum EmbeddedScript {
    /// The text of a script compiled into the binary.
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
