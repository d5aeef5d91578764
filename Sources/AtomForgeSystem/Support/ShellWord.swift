import Foundation

/// A word as a POSIX shell reads it back unchanged: plain words as they are, anything else in single quotes. The
/// commands AtomForge prints for a person to copy (`atomforge accept <folder> <id>`) name folders that may hold
/// spaces.
public enum ShellWord {
    public static func quote(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || "_./-=:,+@%".unicodeScalars.contains(scalar))
            }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
