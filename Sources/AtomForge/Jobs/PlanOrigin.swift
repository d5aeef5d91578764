/// Where a plan comes from on its way to a run: the one thing that differs between `atomforge run`, the inbox, and
/// the commands that go on with a run (`retry`, `accept`, the daemon resuming an interrupted run).
public enum PlanOrigin: Sendable {
    /// A plan file the user keeps (`atomforge run FILE`): read, checked, and copied into its run folder.
    case file(String)
    /// A file taken from the inbox, already read without following it: checked, and renamed into its run folder so
    /// that it is never in two places and never lost.
    case inbox(InboxFile)
    /// A run folder named by path: the plan it holds, with the folder locked (waiting as the options say).
    case runFolder(String)
}

/// An inbox file as the intake read it: its path and the bytes of the very file (device and inode) that was read.
public struct InboxFile: Sendable {
    public let path: String
    let contents: InboxEntry.Contents

    init(path: String, contents: InboxEntry.Contents) {
        self.path = path
        self.contents = contents
    }
}
