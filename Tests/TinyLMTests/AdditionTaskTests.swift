import Foundation
import Random
import Testing
import TinyLM

@Suite struct AdditionTaskTests {
    struct Splits: Decodable {
        var test_head: [[Int]], test_tail: [[Int]], val_head: [[Int]], train_head: [[Int]], train_tail: [[Int]]
        var corpus_head: [String]
        var noisy_fraction: Double
        var carry_test: Int
        var checksum: Int
    }

    @Test func splitsEqualTheAnchorsPythonSplits() throws {
        let expected = try loadJSON(Splits.self, "addition_splits.json")
        let splits = AdditionSplits(seed: 0)
        func pairs(_ problems: some Collection<AdditionProblem>) -> [[Int]] { problems.map { [$0.a, $0.b] } }
        #expect(pairs(splits.test.prefix(5)) == expected.test_head)
        #expect(pairs(splits.test.suffix(5)) == expected.test_tail)
        #expect(pairs(splits.validation.prefix(5)) == expected.val_head)
        #expect(pairs(splits.train.prefix(5)) == expected.train_head)
        #expect(pairs(splits.train.suffix(5)) == expected.train_tail)
        #expect(Array(splits.teacherAnswers.prefix(40)) == expected.corpus_head)
        #expect(splits.test.filter(\.carriesIntoHundreds).count == expected.carry_test)
        let noisy = zip(splits.train, splits.teacherAnswers).filter { $0.answer != $1 }.count
        #expect(Double(noisy) / Double(splits.train.count) == expected.noisy_fraction)
        var h = 0
        for problem in splits.test + splits.validation + splits.train { h = (h * 1_000_003 + 1000 * problem.a + problem.b) % 2_147_483_647 }
        for answer in splits.teacherAnswers { for scalar in answer.unicodeScalars { h = (h * 1_000_003 + Int(scalar.value)) % 2_147_483_647 } }
        #expect(h == expected.checksum)
    }

    @Test func promptsAnswersAndTheCarrySubset() throws {
        let p = AdditionProblem(123, 989)
        #expect(p.prompt == "123+989=" && p.answer == "2111\n")
        #expect(AdditionProblem(0, 0).answer == "0\n" && AdditionProblem(7, 45).prompt == "007+045=")
        #expect(AdditionProblem(50, 50).carriesIntoHundreds && AdditionProblem(55, 45).carriesIntoHundreds)
        #expect(!AdditionProblem(40, 50).carriesIntoHundreds && !AdditionProblem(905, 5).carriesIntoHundreds)
        #expect(AdditionProblem(150, 250).forgottenCarryAnswer == "003\n")
        let tokens = try CharacterTokenizer.addition.encode(p.prompt + p.answer)
        #expect(tokens == [2, 3, 4, 11, 10, 9, 10, 12, 3, 2, 2, 2, 13])
        #expect(CharacterTokenizer.addition.decode([0] + tokens) == "123+989=2111\n")
        #expect(throws: TinyLMError.unknownSymbol("x")) { try CharacterTokenizer.addition.encode("1x") }
        #expect(ByteTokenizer().decode(try ByteTokenizer().encode("héllo") + [256, 257]) == "héllo")
    }

    @Test func pythonRandomMatchesCPython() {
        // Values printed by CPython 3: random.Random(0).random() twice, Random(42).sample(range(10), 4), Random(1).shuffle.
        var g = PythonRandom(seed: 0)
        #expect(g.random() == 0.8444218515250481)
        #expect(g.random() == 0.7579544029403025)
        var h = PythonRandom(seed: 42)
        #expect(h.sample(rangeOf: 10, count: 4) == [1, 0, 4, 9])
        var s = PythonRandom(seed: 1)
        var x = Array(0..<6)
        s.shuffle(&x)
        #expect(x == [2, 3, 5, 0, 4, 1])
        var t = PythonRandom(seed: 3)  // a small sample of a large range: CPython's set method
        #expect(t.sample(rangeOf: 1_000_000, count: 3) == [249_523, 621_429, 570_665])
    }
}

@Suite struct AdditionEvaluationTests {
    @Test func exactMatchScoresOverallCarryAndClean() {
        let problems = [AdditionProblem(150, 250), AdditionProblem(55, 45), AdditionProblem(1, 2), AdditionProblem(40, 50)]
        // Carry: right, forgotten carry; clean: right, wrong (no final newline).
        let score = ExactMatch(problems: problems, completions: ["004\n", "0\n", "3\n", "09"])
        #expect(score.overall == 0.5 && score.carry == 0.5 && score.clean == 0.5)
        #expect(score.carryCount == 2 && score.cleanCount == 2 && score.carryForgottenRate == 0.5)
    }

    @Test func passAtKAndTheWilsonInterval() {
        let pass = PassAtK(correct: [false, true, false, false, false, false], samplesPerProblem: 3)
        #expect(pass.problems == 2 && pass.passAtN == 0.5 && Swift.abs(pass.passAt1 - 1.0 / 6) < 1e-12)
        // Wilson 95 % for 8 of 10: 0.4902…0.9433 (statsmodels' proportion_confint(8, 10, method="wilson")).
        let interval = wilsonInterval(successes: 8, trials: 10)
        #expect(Swift.abs(interval.lowerBound - 0.4902) < 1e-4 && Swift.abs(interval.upperBound - 0.9433) < 1e-4)
        #expect(wilsonInterval(successes: 0, trials: 5).lowerBound == 0)
    }

    @Test func anUntrainedModelIsScoredThroughGeneration() throws {
        let model = try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 16, embedding: 16, layers: 1, heads: 2), seed: 1)
        let problems = Array(AdditionSplits(seed: 0, test: 20, validation: 0, train: 0).test)
        let score = try model.exactMatch(on: problems)
        #expect(score.count == 20 && score.carryCount + score.cleanCount == 20)
        var g = RandomGenerator(seed: 3)
        let texts = try model.complete(problems, settings: SamplingSettings(), samples: 3, chunk: 7, using: &g)
        #expect(texts.count == 60 && texts.allSatisfy { $0.count <= 6 && !$0.dropLast().contains("\n") })
    }
}
