/// Files compiled into the binary (Package.swift's `embedInCode`), so that it needs none beside it: the programs
/// AtomForge runs beside generated code (test harnesses, suite drivers, behaviour probes, the warm runner), kept under
/// a `Scripts/` folder as files of their own language where that language's tools lint and test them
/// (`scripts/test-scripts`), and the run page's script and styles, which index.html carries inline. A script cannot
/// differ from the one that was tested.
package enum EmbeddedFile {
    /// The text of a file compiled into the binary.
    package static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
