import Agents
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

    @Test func cemAndMPPIBeatRandomShootingOnTheSameBudget() {
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
