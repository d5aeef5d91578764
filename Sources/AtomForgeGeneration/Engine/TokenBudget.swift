import AtomForgeModel
import Foundation

/// A plan's caps on what its model calls use, checked before each call: tokens (input and output together), and
/// money (US dollars, priced as the summary prices them).
///
/// The money cap stops a plan before a call that could pass it: a call is counted at its worst, its `max_tokens`
/// of output and as much input as the plan's largest call so far, so the plan never spends past the cap by more
/// than a call's worst case was wrong.
public actor TokenBudget {
    public let limit: Int
    public private(set) var used = 0
    /// The money cap in US dollars; 0 means none.
    public let costLimit: Double
    public private(set) var usedCost = 0.0
    /// What tokens cost (the provider's prices); nil when no money cap is set or no price is known.
    private let pricing: ProviderSettings?
    /// The most output a call may ask for: its worst case.
    private let maxOutput: Int
    private var largestInput = 0

    /// A budget of `limit` tokens (0: unlimited) and `costLimit` dollars (0: unlimited, else priced by `pricing`),
    /// with what earlier runs of the plan already used.
    public init(
        limit: Int, alreadyUsed: Int = 0, costLimit: Double = 0, alreadyCost: Double = 0,
        pricing: ProviderSettings? = nil, maxOutput: Int = 0
    ) {
        self.limit = limit
        self.used = alreadyUsed
        self.costLimit = pricing == nil ? 0 : costLimit
        self.usedCost = alreadyCost
        self.pricing = pricing
        self.maxOutput = maxOutput
    }

    /// True once the next call could pass a cap: the tokens used reached theirs, or the money used and a call's
    /// worst case would pass its.
    public var isExhausted: Bool { exhaustedCap != nil }

    /// The cap that stops the plan, as the stop message names it; nil while neither does.
    public var exhaustedCap: String? {
        if limit > 0, used >= limit { return "budget.tokens_per_plan (\(limit))" }
        if costLimit > 0, let pricing {
            let worst = pricing.cost(of: TokenUsage(input: largestInput, output: maxOutput)) ?? 0
            if usedCost + worst > costLimit {
                return "budget.cost_per_plan ($\(Self.dollars(costLimit)); $\(Self.dollars(usedCost)) used, and a call "
                    + "may cost up to $\(Self.dollars(worst)))"
            }
        }
        return nil
    }

    public func charge(_ usage: TokenUsage) {
        used += usage.input + usage.output
        largestInput = max(largestInput, usage.input)
        usedCost += pricing?.cost(of: usage) ?? 0
    }

    static func dollars(_ amount: Double) -> String {
        String(format: amount < 1 ? "%.4f" : "%.2f", amount)
    }
}
