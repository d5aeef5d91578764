import AtomForgeModel

extension AtomGenerator {
    /// One candidate's reply, before validation.
    struct Candidate: Sendable {
        var number: Int
        var index: Int
        var seed: Int
        var result: Result<ModelReply, ProviderError>
        var code: String
        /// The size of code longer than the atom may have; ``code`` then holds only its beginning.
        var oversize: Int?
        /// A class's reply cut off inside a method planned apart: the class without it is complete.
        var salvaged = false
    }

    /// What one atom's ladder takes its candidates out of replies with, and validates them with: the same for each
    /// of its steps.
    struct AtomWork: Sendable {
        var atom: Atom
        var scope: ClassScope?
        var sizeLimit: CodeSizeLimit
        /// The names the free dependencies give, which the unit extractor keeps out of the unit; none for a method,
        /// whose own code is parsed alone.
        var provided: [String]
        var dependencyCode: [String]
        var dependencyImports: [String]
        var planNames: [String]
        /// The checks the evidence adds (the description's examples), run with the atom's tests.
        var checks: String
        var priority: Int
    }

    /// Asks `model` for one candidate and takes its code out of the reply: the block, cut to the atom's size
    /// limit, a class salvaged from a reply cut off inside a method planned apart, the atom's unit parsed out of
    /// the rest. No validation: that is ``verdict(on:reply:step:work:validated:diversity:)``'s.
    func candidate(
        number: Int, index: Int, seed: Int, request: ModelRequest, model: ModelClient, work: AtomWork
    ) async -> Candidate {
        let (atom, scope, sizeLimit) = (work.atom, work.scope, work.sizeLimit)
        var result = await Self.call(model, request, slots: requestSlots, priority: work.priority)
        var code = ""
        var oversize: Int?
        var salvaged = false
        if case .success(var reply) = result {
            // Anthropic sends the continuation only; llama.cpp sends the prefill with it.
            if let prefill = request.prefill, !reply.text.hasPrefix(prefill) {
                reply.text = prefill + reply.text
                result = .success(reply)
            }
            code = CodeExtractor.extract(from: reply.text, language: atom.language)
            if code.utf8.count > sizeLimit.bytes {
                oversize = code.utf8.count
                code = CodeSizeLimit.kept(code, limit: sizeLimit.bytes)
            } else if reply.isTruncated, let whole = scope?.salvaging(code, for: atom) {
                code = whole
                salvaged = true
            } else if !reply.isTruncated {
                // A method is reduced to itself first (a reply that repeats the class), a class after its unit is
                // taken (to the class less the methods planned apart).
                let block = scope.map { $0.method(outOf: code, for: atom) } ?? code
                // Parsing runs a process: bounded with the validators' runs.
                let extractor = self.extractor
                code =
                    (try? await validationSlots.withPermit(priority: work.priority) {
                        await extractor.unit(
                            of: block, language: atom.language, name: atom.name, provided: work.provided)
                    }) ?? block
                code = scope.map { $0.droppingPlannedMethods(from: code, for: atom) } ?? code
            }
        }
        return Candidate(
            number: number, index: index, seed: seed, result: result, code: code, oversize: oversize,
            salvaged: salvaged)
    }
}
