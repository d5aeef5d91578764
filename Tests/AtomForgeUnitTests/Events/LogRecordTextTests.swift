import AtomForge
import Testing

@Suite("a log record is one record")
struct LogRecordTextTests {
    @Test("where lines are records, a message's line breaks are written \\n; at a terminal, indented under it")
    func oneRecord() {
        let message = "src/a.py fails to load:\nTraceback (most recent call last):\r\n  File \"a.py\""
        let line = LogRecordText.oneRecord(message, asOneLine: true)
        #expect(!line.contains("\n") && !line.contains("\r"), "\(line)")
        #expect(line == #"src/a.py fails to load:\nTraceback (most recent call last):\n  File "a.py""#)
        #expect(LogRecordText.oneRecord("one line", asOneLine: true) == "one line")
        let shown = LogRecordText.oneRecord("first\nsecond", asOneLine: false)
        #expect(shown == "first\n    second")
    }
}
