import AtomForgeModel
import Logging

extension AtomGenerator {
    /// What one ladder step came to: its attempts in number order, the error of a call that got no reply, and
    /// whether a shutdown cut it short.
    struct StepRun {
        var attempts: [AttemptRecord]
        var unreachable: ProviderError?
        var cancelled: Bool
    }

    /// Runs one ladder step: asks for its `candidates` at once (numbered from `firstNumber`, each with its own
    /// seed), and gives each reply its verdict as it comes, each heard as an event.
    func runStep(
        _ facts: StepFacts, candidates: Int, firstNumber: Int, stepRequest: StepRequest, work: AtomWork,
        validated: inout [String: AttemptRecord], diversity: inout Double
    ) async -> StepRun {
        let atom = work.atom
        var unreachable: ProviderError?
        var stepAttempts: [AttemptRecord] = []
        var cancelled = false
        var stepStarted = RunEvent(.attemptStarted, plan: planID, atom: atom.id)
        stepStarted.attempt = firstNumber
        stepStarted.step = facts.number
        stepStarted.candidates = candidates
        stepStarted.kind = facts.kind.rawValue
        await events.emit(stepStarted)
        await withTaskGroup(of: Candidate.self) { group in
            for index in 0..<candidates {
                let number = firstNumber + index
                let seed = Self.seed(atom: atom.id, attempt: number)
                let request = stepRequest.request(seed: seed)
                group.addTask {
                    await candidate(
                        number: number, index: index + 1, seed: seed, request: request, model: stepRequest.model,
                        work: work)
                }
            }
            for await candidate in group {
                let reply: ModelReply
                switch candidate.result {
                case .failure(let error):
                    if error.code == .cancelled {
                        cancelled = true
                    } else {
                        logger.warning("model call failed", metadata: ["atom": "\(atom.id)", "error": "\(error)"])
                        unreachable = error
                    }
                    continue
                case .success(let value):
                    reply = value
                }
                await budget.charge(reply.usage)
                guard
                    let record = await verdict(
                        on: candidate, reply: reply, step: facts, work: work, validated: &validated,
                        diversity: &diversity)
                else {
                    cancelled = true
                    continue
                }
                await events.emit(.attemptFinished(record, of: atom.id, plan: planID))
                stepAttempts.append(record)
            }
        }
        stepAttempts.sort { $0.number < $1.number }
        return StepRun(attempts: stepAttempts, unreachable: unreachable, cancelled: cancelled)
    }
}
