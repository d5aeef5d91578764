/// Text made safe to put between HTML tags or inside a quoted attribute.
///
/// Everything the run page shows came from a plan, a model or a validator: none of it is trusted to be markup.
package enum HTMLText {
    /// Byte by byte over UTF-8: the characters that matter are ASCII, which never occur inside a multi-byte
    /// sequence, so a quote followed by a combining mark (one `Character` in Swift) is still escaped; and a large
    /// plan's page is megabytes, which this goes through without decoding characters.
    package static func escape(_ text: String) -> String {
        replacing(text) { byte in
            switch byte {
            case UInt8(ascii: "&"): "&amp;"
            case UInt8(ascii: "<"): "&lt;"
            case UInt8(ascii: ">"): "&gt;"
            case UInt8(ascii: "\""): "&quot;"
            case UInt8(ascii: "'"): "&#39;"
            default: nil
            }
        }
    }

    /// JSON text that can stand inside `<script type="application/json">`: no `<` can open `</script>` or `<!--`.
    package static func scriptSafe(json: String) -> String {
        replacing(json) { $0 == UInt8(ascii: "<") ? "\\u003c" : nil }
    }

    private static func replacing(_ text: String, _ replacement: (UInt8) -> StaticString?) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + text.utf8.count / 16)
        for byte in text.utf8 {
            if let substitute = replacement(byte) {
                substitute.withUTF8Buffer { bytes.append(contentsOf: $0) }
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
