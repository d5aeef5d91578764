import AtomForgeModel
import Foundation

/// `progress.json`: where a run stands, rewritten while it runs for other tools to poll (`docs/events.md` describes
/// each field), and read back by `atomforge status`.
public struct RunProgress: Codable, Sendable, Equatable {
    public struct Atom: Codable, Sendable, Equatable {
        public var atom: String
        public var attempt: Int
        public var step: Int?
        public var since: String
    }

    public enum State: String, Codable, Sendable {
        case running, finished
        /// A budget, a shutdown or an outage: running the plan again continues it.
        case stopped
    }

    public var plan: String
    public var state: State
    public var total: Int
    public var passed: Int
    public var failed: Int
    public var blocked: Int
    /// Atoms being generated now, and those not started.
    public var running: Int
    public var pending: Int
    public var inFlight: [Atom]
    /// Tokens this run's calls used.
    public var tokensIn: Int
    public var tokensOut: Int
    public var elapsedS: Double
    /// At the pace of the atoms finished so far; absent before the first one and once the run ended.
    public var estimatedRemainingS: Double?
    public var startedAt: String
    public var updatedAt: String
    /// Once the run ended: why (``RunEnding``): `finished`, or what stopped it.
    public var ending: String?

    /// What a `progress.json` says of its run's state, read alone (a file of another version with fields this one
    /// does not know still tells it).
    public enum RecordedState: Sendable, Equatable {
        /// No file, or one that names no state (unreadable, or written in part by a process killed meanwhile).
        case none
        case known(State)
        /// A state this version does not know (written by a newer one).
        case unknown(String)
    }

    /// What the `progress.json` in the folder at `path` says of the run's state.
    public static func recordedState(inFolder path: String) -> RecordedState {
        struct StateOnly: Decodable { var state: String? }
        guard let data = FileManager.default.contents(atPath: path + "/progress.json"),
            let word = (try? OutboxJSON.decoder.decode(StateOnly.self, from: data))?.state
        else { return .none }
        return State(rawValue: word).map { .known($0) } ?? .unknown(word)
    }
}
