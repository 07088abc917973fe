import Agents
import Environments
import RL
import Random
import Testing

@Suite("Planners: CEM, MPPI and random shooting")
struct PlannerTests {
    /// A 15-step, 2-number plan in [−1, 1]² whose value is −‖plan − target‖²: the optimum is known.
    let shape = PlanShape(horizon: 15, actionSize: 2, low: [-1, -1], high: [1, 1])
    var target: [Float] { (0..<shape.count).map { i in Float(i % 7) / 7 - 0.4 } }

    func objective(_ plans: [Float], _ population: Int) -> [Float] {
        let n = shape.count, target = target
        return (0..<population).map { p in -(0..<n).reduce(Float(0)) { $0 + (plans[p * n + $1] - target[$1]) * (plans[p * n + $1] - target[$1]) } }
    }

    func distance(_ plan: [Float]) -> Float { zip(plan, target).map { abs($0 - $1) }.max() ?? .infinity }

    @Test func cemFindsTheOptimumOfAQuadratic() {
        var generator = RandomGenerator(seed: 1)
        var cem = CrossEntropyMethod(shape: shape, iterations: 20, population: 500, eliteRatio: 0.1, alpha: 0.1)
        let plan = cem.optimize(objective, initial: shape.middle, using: &generator)
        #expect(plan.count == shape.count)
        #expect(distance(plan) < 0.05, "largest error \(distance(plan))")
        #expect(plan.allSatisfy { (-1...1).contains($0) })
        // The elites' mean lands closer still.
        cem.returnMeanElites = true
        let mean = cem.optimize(objective, initial: shape.middle, using: &generator)
        #expect(distance(mean) < 0.02, "largest error of the mean \(distance(mean))")
    }

    @Test func cemAndMPPIBeatRandomShooting() {
        // CEM with the same 2500 plans as random shooting; MPPI with twice as many (10 iterations).
        var generator = RandomGenerator(seed: 2)
        var cem = CrossEntropyMethod(shape: shape, iterations: 5, population: 500)
        var mppi = MPPI(shape: shape, iterations: 10, population: 500, gamma: 10, sigma: 1, beta: 0.7)
        var shooting = RandomShooting(shape: shape, population: 2500)
        let value = { (plan: [Float]) in objective(plan, 1)[0] }
        let floor = value(shooting.optimize(objective, initial: shape.middle, using: &generator))
        let viaCEM = value(cem.optimize(objective, initial: shape.middle, using: &generator))
        // (MPPI shifts its mean by a step on every call, as it does when acting: one call here.)
        let viaMPPI = value(mppi.optimize(objective, initial: [], using: &generator))
        #expect(viaCEM > floor && viaMPPI > floor, "CEM \(viaCEM), MPPI \(viaMPPI), random shooting \(floor)")
    }

    @Test func aNaNValueNeverWins() {
        var generator = RandomGenerator(seed: 3)
        var cem = CrossEntropyMethod(shape: shape, iterations: 3, population: 100)
        let poisoned: PlanObjective = { plans, population in
            objective(plans, population).enumerated().map { $0.offset % 2 == 0 ? .nan : $0.element }
        }
        let plan = cem.optimize(poisoned, initial: shape.middle, using: &generator)
        #expect(plan.allSatisfy(\.isFinite) && objective(plan, 1)[0].isFinite)
    }

    @Test func theRecedingHorizonWarmStartsWithTheShiftedPlan() {
        var generator = RandomGenerator(seed: 4)
        var planner = RecedingHorizon(CrossEntropyMethod(shape: shape, iterations: 2, population: 50))
        #expect(planner.previous == [Float](repeating: 0, count: shape.count))
        let plan = planner.plan(objective, using: &generator)
        #expect(planner.previous == Array(plan[2...]) + [0, 0])
        planner.reset()
        #expect(planner.previous == shape.middle)
    }

    @Test func theSameSeedPlansTheSame() {
        func run() -> [Float] {
            var generator = RandomGenerator(seed: 5)
            var planner = RecedingHorizon(MPPI(shape: shape, population: 64))
            return (0..<3).flatMap { _ in planner.plan(objective, using: &generator) }
        }
        #expect(run() == run())
    }
}

@Suite("Trajectory sampling through a learned model")
struct TrajectorySamplingTests {
    /// Random pushes on the continuous cart-pole, as PETS' first trial collects them.
    private func randomTransitions(steps: Int, seed: UInt64) throws -> (s: [Float], a: [Float], next: [Float]) {
        var env = try environments.make("CartPoleContinuous-v0"), generator = RandomGenerator(seed: seed)
        var s: [Float] = [], a: [Float] = [], next: [Float] = []
        var observation = env.resetFlat(seed: seed).observation
        for _ in 0..<steps {
            let action = [generator.nextUniform() * 2 - 1]
            let t = try env.stepFlat(action.map(Double.init))
            s += observation; a += action; next += t.observation
            observation = t.isLast ? env.resetFlat(seed: nil).observation : t.observation
        }
        return (s, a, next)
    }

    /// Planning through a model fitted on random data keeps the pole up longer than random
    /// pushes do from the same starts (PETS' first planned trial; MBRL-Lib's scores 15–41 there,
    /// random play about 20).
    @Test func planningThroughAFittedModelBeatsRandomPushes() throws {
        var generator = RandomGenerator(seed: 11)
        let data = try randomTransitions(steps: 2000, seed: 4)
        let model = DynamicsModel(observationSize: 4, actionSize: 1, members: 3, hiddenLayers: 2, hiddenSize: 64, using: &generator)
        model.fit(observations: data.s, actions: data.a, nextObservations: data.next, epochs: 30, using: &generator)
        let sampling = TrajectorySampling(model: model, task: CartPoleContinuous.planningModel, particles: 4, seed: 1)
        let shape = PlanShape(horizon: 15, actionSize: 1, low: [-1], high: [1])
        func episode(from seed: UInt64, _ act: ([Float]) -> Float) throws -> Int {
            var env = try environments.make("CartPoleContinuous-v0")
            var observation = env.resetFlat(seed: seed).observation, steps = 0
            while true {
                let t = try env.stepFlat([Double(act(observation))])
                steps += 1
                if t.isLast { return steps }
                observation = t.observation
            }
        }
        let starts: [UInt64] = [77, 78, 79]
        let planned = try starts.map { seed in
            var planner = RecedingHorizon(CrossEntropyMethod(shape: shape, iterations: 3, population: 100))
            return try episode(from: seed) { planner.plan(sampling.objective(from: $0, shape: shape), using: &generator)[0] }
        }
        var random = RandomGenerator(seed: 12)
        let pushes = try starts.flatMap { seed in try (0..<3).map { _ in try episode(from: seed) { _ in random.nextUniform() * 2 - 1 } } }
        // Medians: one lucky random episode (they reach 60 now and then) does not decide it.
        let median = { (steps: [Int]) in steps.sorted()[steps.count / 2] }
        print("learning score: CEM through a model of 2000 random CartPoleContinuous steps: planned \(planned) steps, random \(pushes)")
        #expect(median(planned) >= 2 * median(pushes), "planned \(planned) steps, random \(pushes)")
    }

    @Test func returnsStopAtAPredictedTermination() throws {
        var generator = RandomGenerator(seed: 2)
        let model = DynamicsModel(observationSize: 4, actionSize: 1, members: 2, hiddenLayers: 1, hiddenSize: 8, using: &generator)
        let sampling = TrajectorySampling(model: model, task: CartPoleContinuous.planningModel, particles: 3, propagation: .tsOne, seed: 3)
        let shape = PlanShape(horizon: 6, actionSize: 1, low: [-1], high: [1])
        // From a state already past the track's end every particle terminates at once: return 1.
        let returns = sampling.predictedReturns([Float](repeating: 0, count: 2 * shape.count), population: 2, from: [9, 0, 0, 0], shape: shape)
        #expect(returns == [1, 1])
    }
}
