import Random

/// Greedy exact match on the addition task, as the anchor's `common.exact_match` scores it: a completion is
/// right when it equals the correct answer including the final `\n`; reported overall and on the carry and
/// clean subsets, with the share of carry problems answered as the teacher's forgotten carry.
public struct ExactMatch: Codable, Equatable, Sendable {
    public var overall: Double
    public var carry: Double
    public var clean: Double
    public var count: Int
    public var carryCount: Int
    public var cleanCount: Int
    public var carryForgottenRate: Double

    /// Scores completions (text up to and including the first `\n`) against their problems.
    public init(problems: [AdditionProblem], completions: [String]) {
        precondition(problems.count == completions.count, "\(problems.count) problems but \(completions.count) completions")
        var right = 0, carryRight = 0, cleanRight = 0, carries = 0, forgotten = 0
        for (problem, completion) in zip(problems, completions) {
            let ok = completion == problem.answer
            right += ok ? 1 : 0
            if problem.carriesIntoHundreds {
                carries += 1
                carryRight += ok ? 1 : 0
                forgotten += completion == problem.forgottenCarryAnswer ? 1 : 0
            } else {
                cleanRight += ok ? 1 : 0
            }
        }
        func fraction(_ n: Int, _ d: Int) -> Double { Double(n) / Double(Swift.max(d, 1)) }
        (count, carryCount, cleanCount) = (problems.count, carries, problems.count - carries)
        overall = fraction(right, problems.count)
        carry = fraction(carryRight, carries)
        clean = fraction(cleanRight, problems.count - carries)
        carryForgottenRate = fraction(forgotten, carries)
    }
}

/// pass@1 (mean per-sample correctness) and pass@n (problems with at least one correct sample) from n
/// samples per problem, listed problem by problem (`correct[i·n + j]` is sample j of problem i).
public struct PassAtK: Codable, Equatable, Sendable {
    public var passAt1: Double
    public var passAtN: Double
    public var samplesPerProblem: Int
    public var problems: Int

    public init(correct: [Bool], samplesPerProblem n: Int) {
        precondition(n > 0 && correct.count % n == 0, "\(correct.count) samples are not \(n) per problem")
        problems = correct.count / n
        samplesPerProblem = n
        passAt1 = Double(correct.filter { $0 }.count) / Double(Swift.max(correct.count, 1))
        passAtN = Double((0..<problems).filter { i in correct[(i * n)..<((i + 1) * n)].contains(true) }.count)
            / Double(Swift.max(problems, 1))
    }
}

/// The Wilson score interval of a binomial proportion (95 % by default): the interval the benches report
/// around an exact-match rate of k successes in n trials.
public func wilsonInterval(successes k: Int, trials n: Int, z: Double = 1.959_963_984_540_054) -> ClosedRange<Double> {
    guard n > 0 else { return 0...1 }
    let p = Double(k) / Double(n), z2 = z * z, nd = Double(n)
    let centre = (p + z2 / (2 * nd)) / (1 + z2 / nd)
    let half = z * (p * (1 - p) / nd + z2 / (4 * nd * nd)).squareRoot() / (1 + z2 / nd)
    return Swift.max(0, centre - half)...Swift.min(1, centre + half)
}

extension GPT {
    /// Completions of the problems' prompts as text, up to and including the first `\n` (at most 6 new
    /// tokens, as the anchor decodes), in chunks of `chunk` prompts; `samples` per problem, in order.
    public func complete(_ problems: [AdditionProblem], settings: SamplingSettings, samples: Int = 1, chunk: Int = 1000,
                         using generator: inout RandomGenerator) throws -> [String] {
        let tokenizer = CharacterTokenizer.addition
        var settings = settings
        settings.stopToken = tokenizer.endOfText
        var texts: [String] = []
        texts.reserveCapacity(problems.count * samples)
        for start in stride(from: 0, to: problems.count, by: Swift.max(1, chunk)) {
            let part = problems[start..<Swift.min(problems.count, start + chunk)]
            let prompts = try part.flatMap { problem in
                let tokens = try tokenizer.encode(problem.prompt)
                return Array(repeating: tokens, count: samples)
            }
            texts += try generate(prompts, settings: settings, using: &generator).map { tokenizer.decode($0.tokens) }
        }
        return texts
    }

    /// Greedy exact match on `problems` (the anchor's `exact_match`).
    public func exactMatch(on problems: [AdditionProblem]) throws -> ExactMatch {
        var unused = RandomGenerator(seed: 0)  // greedy decoding draws nothing
        return ExactMatch(problems: problems, completions: try complete(problems, settings: .greedy(), using: &unused))
    }
}

/// What the benches report of a model on held-out problems, as the anchor's `evaluate`: greedy exact
/// match overall / carry / clean, and pass@1 / pass@n from n samples at temperature 1 on each subset.
public struct AdditionReport: Codable, Equatable, Sendable {
    public var greedy: ExactMatch
    public var carrySamples: PassAtK
    public var cleanSamples: PassAtK
}

extension GPT {
    /// Scores the model on `problems` (the test set): greedy, then `samples` completions per problem at
    /// temperature 1 on the carry subset (generator seeded `seed`) and the clean one (`seed + 1`).
    public func additionReport(on problems: [AdditionProblem], samples: Int = 8, seed: UInt64 = 1) throws -> AdditionReport {
        func passAtK(_ subset: [AdditionProblem], seed: UInt64) throws -> PassAtK {
            var generator = RandomGenerator(seed: seed)
            let texts = try complete(subset, settings: SamplingSettings(temperature: 1), samples: samples, chunk: 1000 / Swift.max(samples, 1) + 1,
                                     using: &generator)
            return PassAtK(correct: texts.enumerated().map { $1 == subset[$0 / samples].answer }, samplesPerProblem: samples)
        }
        return AdditionReport(greedy: try exactMatch(on: problems),
                              carrySamples: try passAtK(problems.filter(\.carriesIntoHundreds), seed: seed),
                              cleanSamples: try passAtK(problems.filter { !$0.carriesIntoHundreds }, seed: seed &+ 1))
    }
}
