/// A result that could not be written; says which file and why.
public struct OutboxError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Set when the folder is being run by another process: nothing is wrong, and trying later will do.
    public var isBusy: Bool

    public init(_ message: String, busy: Bool = false) {
        // A file call made in a folder held open names it by its descriptor: the folder's name is what to show.
        self.message = OutboxFolder.shown(message)
        self.isBusy = busy
    }

    public var description: String { message }
}
