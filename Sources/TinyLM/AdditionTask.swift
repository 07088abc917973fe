import Random

/// The tiny-LM task of `../shared/anchors/llm/README.md`: `aaa+bbb=` (operands zero-padded to three
/// digits) answered by the digits of a + b reversed, then `\n`. A noisy teacher writes the
/// pretraining corpus: where the tens column carries into the hundreds it forgets that carry
/// half the time. RL then has an exact-match reward against the correct answer.
public struct AdditionProblem: Hashable, Sendable, Codable {
    public let a: Int
    public let b: Int

    public init(_ a: Int, _ b: Int) { (self.a, self.b) = (a, b) }

    /// `007+045=`: every prompt is 8 characters.
    public var prompt: String { "\(Self.threeDigits(a))+\(Self.threeDigits(b))=" }
    /// The correct completion: `123+989=` → `2111\n`.
    public var answer: String { String(String(a + b).reversed()) + "\n" }
    /// The teacher's mistake on a carry problem: the hundreds carry forgotten, a + b − 100.
    public var forgottenCarryAnswer: String { String(String(a + b - 100).reversed()) + "\n" }
    /// The tens column carries into the hundreds (≈ 49.6 % of problems): the "carry" subset.
    public var carriesIntoHundreds: Bool {
        let unitsCarry = a % 10 + b % 10 >= 10 ? 1 : 0
        return a % 100 / 10 + b % 100 / 10 + unitsCarry >= 10
    }

    private static func threeDigits(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: Swift.max(0, 3 - s.count)) + s
    }
}

/// The task's fixed splits, as the anchor's `make_splits(seed=0)` draws them with CPython's
/// generator: 202,000 distinct pairs of the 10⁶, the first 1,000 the test set, the next 1,000
/// validation (the pretraining stop rule), the rest training; the teacher's answers from
/// `random.Random(seed + 1)`.
public struct AdditionSplits: Sendable {
    public let test: [AdditionProblem]
    public let validation: [AdditionProblem]
    public let train: [AdditionProblem]
    /// The teacher's written completion for each training problem.
    public let teacherAnswers: [String]

    public static let promptLength = 8
    /// At most 4 reversed digits and `\n`.
    public static let maximumAnswerLength = 5

    public init(seed: UInt64 = 0, test testCount: Int = 1000, validation validationCount: Int = 1000,
                train trainCount: Int = 200_000, forgetProbability: Double = 0.5) {
        var generator = PythonRandom(seed: seed)
        let pairs = generator.sample(rangeOf: 1_000_000, count: testCount + validationCount + trainCount)
            .map { AdditionProblem($0 / 1000, $0 % 1000) }
        test = Array(pairs[..<testCount])
        validation = Array(pairs[testCount..<(testCount + validationCount)])
        train = Array(pairs[(testCount + validationCount)...])
        var teacher = PythonRandom(seed: seed + 1)
        // As the anchor's `teacher_answer`: one draw per carry problem, none for the others.
        teacherAnswers = train.map { problem in
            problem.carriesIntoHundreds && teacher.random() < forgetProbability ? problem.forgottenCarryAnswer : problem.answer
        }
    }
}
