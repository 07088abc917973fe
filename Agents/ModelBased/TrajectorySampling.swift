// PETS' trajectory sampling (Chua et al. 2018, §5): a plan's value is its return predicted by
// rolling P particles from the current observation through the learned model,
//
//   V(a_{1:H}) = (1/P) Σ_p Σ_t r(s^p_t, a_t, s^p_{t+1}),   s^p_{t+1} ~ f_{b(p,t)}(s^p_t, a_t),
//
// where the member b is fixed per particle for the whole horizon (TS-∞) or drawn afresh at every
// step (TS-1). Rewards stop after a predicted termination. Every step of every particle of every
// candidate is one row of one batched prediction.
import RL
import Random

public enum Propagation: String, Sendable, CaseIterable {
    /// Each particle keeps one member for the whole horizon.
    case tsInfinity = "ts_inf"
    /// Each particle draws a member at every step.
    case tsOne = "ts1"
}

public final class TrajectorySampling {
    public let model: DynamicsModel
    public let task: PlanningModel
    public let particles: Int, propagation: Propagation
    var generator: RandomGenerator

    public init(model: DynamicsModel, task: PlanningModel, particles: Int = 20, propagation: Propagation = .tsInfinity, seed: UInt64) {
        precondition(particles >= 1 && task.observationCount == model.observationSize && task.actionCount == model.actionSize)
        (self.model, self.task, self.particles, self.propagation) = (model, task, particles, propagation)
        generator = RandomGenerator(seed: seed)
    }

    /// The objective a trajectory optimiser maximises from `observation`.
    public func objective(from observation: [Float], shape: PlanShape) -> PlanObjective {
        { [self] plans, population in predictedReturns(plans, population: population, from: observation, shape: shape) }
    }

    /// Each plan's mean predicted return over the particles.
    public func predictedReturns(_ plans: [Float], population: Int, from observation: [Float], shape: PlanShape) -> [Float] {
        let rows = population * particles, o = model.observationSize, a = shape.actionSize
        var states = [Float](); states.reserveCapacity(rows * o)
        for _ in 0..<rows { states += observation }
        let elites = model.elites
        func drawMembers() -> [Int] { (0..<rows).map { _ in elites[generator.nextInt(below: elites.count)] } }
        var members = drawMembers()
        var returns = [Float](repeating: 0, count: rows), alive = [Bool](repeating: true, count: rows)
        var actions = [Float](repeating: 0, count: rows * a)
        for t in 0..<shape.horizon {
            // Row r is particle r % P of candidate r / P.
            for r in 0..<rows {
                let base = (r / particles) * shape.count + t * a
                for j in 0..<a { actions[r * a + j] = plans[base + j] }
            }
            if propagation == .tsOne && t > 0 { members = drawMembers() }
            let next = model.predict(observations: states, actions: actions, members: members, using: &generator)
            let rewards = task.reward(states, actions, next), ends = task.isTerminal(next)
            for r in 0..<rows where alive[r] {
                returns[r] += rewards[r]
                if ends[r] { alive[r] = false }
            }
            states = next
        }
        return (0..<population).map { c in returns[(c * particles)..<((c + 1) * particles)].reduce(0, +) / Float(particles) }
    }
}
