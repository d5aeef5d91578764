import Foundation

extension ToolRunner.Run {
    /// The JSON object a script printed on its last line starting with `token` (its report, apart from whatever the
    /// code it ran printed); nil when there is none or it does not read.
    func report(behind token: String) -> [String: Any]? {
        let line = (output + "\n" + outputTail).split(separator: "\n").last { $0.hasPrefix(token) }
        guard let line else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.dropFirst(token.count).utf8)) as? [String: Any]
    }
}
