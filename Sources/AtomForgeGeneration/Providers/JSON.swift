import AtomForgeSystem
import Foundation

/// JSON helpers for the providers' request and reply bodies.
enum JSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and numbers cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    /// The start of a body, for error messages: enough to recognise it, never a whole page.
    static func snippet(_ response: HTTPResponse, limit: Int = 200) -> String {
        let text = response.bodyText.trimmingWhitespace()
        if text.isEmpty { return "(empty body)" }
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
