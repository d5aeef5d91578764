/// Text made safe to put between HTML tags or inside a quoted attribute.
///
/// Everything the run page shows came from a plan, a model or a validator: none of it is trusted to be markup.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// JSON text that can stand inside `<script type="application/json">`: no `<` can open `</script>` or `<!--`.
    static func scriptSafe(json: String) -> String {
        var safe = ""
        safe.reserveCapacity(json.utf8.count)
        for character in json {
            if character == "<" { safe += "\\u003c" } else { safe.append(character) }
        }
        return safe
    }
}
