/// Text made safe to put between HTML tags or inside a quoted attribute.
///
/// Everything the run page shows came from a plan, a model or a validator: none of it is trusted to be markup.
enum HTMLText {
    /// By Unicode scalar, not by `Character`: a quote followed by a combining mark is one Character, and must still
    /// be escaped.
    static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// JSON text that can stand inside `<script type="application/json">`: no `<` can open `</script>` or `<!--`.
    static func scriptSafe(json: String) -> String {
        var safe = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if scalar == "<" { safe.append(contentsOf: "\\u003c".unicodeScalars) } else { safe.append(scalar) }
        }
        return String(safe)
    }
}
