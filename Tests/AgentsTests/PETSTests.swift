import Agents
import Environments
import NN
import RL
import Tensor
import Testing
import Training

@Suite("PETS: the agent around the model and the planner")
struct PETSTests {
    /// A very small PETS: trials of 20 steps, a 2-member ensemble of 16 units, 20 candidates.
    private func tiny(_ extra: [String] = []) throws -> PETSHyperparameters {
        try PETSHyperparameters().setting(["n_timesteps=80", "trial_length=20", "ensemble_size=2", "hidden_layers=1",
                                           "hidden_size=16", "epochs=2", "planning_horizon=5", "population_size=20",
                                           "num_iterations=2", "num_particles=2"] + extra)
    }

    /// Two trials, a checkpoint through bytes, two more in a fresh agent, equal four straight:
    /// the model's weights and moments, the data, the generators.
    @Test(arguments: ["cem", "mppi"])
    func resumingContinuesExactly(optimizer: String) throws {
        let config = try tiny(["optimizer=\(optimizer)"])
        func fresh() throws -> PETS { try PETS(environment: environments.make("CartPoleContinuous-v0"), config: config, seed: 5) }
        let straight = try fresh(), first = try fresh(), resumed = try fresh()
        var returns: [Double] = []
        for _ in 0..<4 { returns += try straight.iterate().episodes.map(\.totalReward) }
        for _ in 0..<2 { _ = try first.iterate() }
        try resumed.restore(from: SafeTensors.decode(first.checkpoint().encoded()))
        var resumedReturns: [Double] = []
        for _ in 0..<2 { resumedReturns += try resumed.iterate().episodes.map(\.totalReward) }
        #expect(resumed.stepsDone == straight.stepsDone && resumed.trialsDone == 4)
        #expect(Array(returns.suffix(2)) == resumedReturns)
        let a = try straight.checkpoint().tensors, b = try resumed.checkpoint().tensors
        #expect(a.map(\.name) == b.map(\.name) && zip(a, b).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })
    }

    /// A stop asked for in the middle of a planned trial ends the iteration there, unfinished; the trial then
    /// continues — in the same agent, or in a fresh one restored from the checkpoint, which replays the
    /// trial's actions in its environment — and everything equals four trials never stopped.
    @Test(arguments: ["cem", "mppi"])
    func aTrialStoppedPartWayContinuesExactly(optimizer: String) throws {
        let config = try tiny(["optimizer=\(optimizer)", "n_timesteps=200", "trial_length=50", "planning_horizon=8"])
        func fresh() throws -> PETS { try PETS(environment: environments.make("Pendulum-v1"), config: config, seed: 3) }
        func returns(_ reports: [TrainingReport]) -> [Double] { reports.flatMap { $0.episodes.map(\.totalReward) } }
        let straight = try fresh()
        let expected = try returns((0..<4).map { _ in try straight.iterate() })

        let stopped = try fresh(), sameAgent = try fresh()
        var reports = [try stopped.iterate(), try stopped.iterate()]
        _ = try sameAgent.iterate()
        _ = try sameAgent.iterate()
        var calls = 0
        let partial = try stopped.iterate(stoppingWhen: { calls += 1; return calls > 17 })
        #expect(partial.isUnfinished && partial.episodes.isEmpty && stopped.stepsDone == 117 && stopped.trialsDone == 2)
        calls = 0
        _ = try sameAgent.iterate(stoppingWhen: { calls += 1; return calls > 17 })
        let restored = try fresh()
        try restored.restore(from: SafeTensors.decode(stopped.checkpoint().encoded()))
        for _ in 0..<2 { reports.append(try restored.iterate()) }
        #expect(returns(reports) == expected)
        let inPlace = returns([try sameAgent.iterate(), try sameAgent.iterate()])
        #expect(inPlace == Array(expected.suffix(2)))
        let a = try straight.checkpoint().tensors, b = try restored.checkpoint().tensors
        #expect(a.map(\.name) == b.map(\.name) && zip(a, b).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })
    }

    /// A checkpoint of an unfinished trial whose transitions the environment does not give back (edited, or
    /// from another version) is refused with a message, not continued from a wrong state.
    @Test func anUnfinishedTrialThatDoesNotReplayIsRefused() throws {
        let config = try tiny(["n_timesteps=200", "trial_length=50"])
        let agent = try PETS(environment: environments.make("Pendulum-v1"), config: config, seed: 3)
        _ = try agent.iterate()
        var calls = 0
        _ = try agent.iterate(stoppingWhen: { calls += 1; return calls > 5 })
        var tensors = try agent.checkpoint().tensors
        let index = try #require(tensors.firstIndex { $0.name == "data.actions" })
        var actions = tensors[index].tensor.scalars
        actions[actions.count - 2] = -actions[actions.count - 2] + 0.5  // an action of the unfinished trial
        tensors[index].tensor = Tensor(actions, shape: tensors[index].tensor.shape)
        var edited = try agent.checkpoint()
        edited.tensors = tensors
        let restored = try PETS(environment: environments.make("Pendulum-v1"), config: config, seed: 3)
        try restored.restore(from: edited)
        #expect(throws: TrainingError.self) { try restored.iterate() }
    }

    @Test func theFirstTrialIsRandomThenTheModelIsFitted() throws {
        let agent = try PETS(environment: environments.make("CartPoleContinuous-v0"), config: tiny(), seed: 1)
        let random = try agent.iterate(), planned = try agent.iterate()
        func metric(_ report: TrainingReport, _ name: String) -> Double? { report.metrics.first { $0.name == name }?.value }
        #expect(metric(random, "model/nll")?.isNaN == true && metric(planned, "model/nll")?.isFinite == true)
        #expect(random.metrics.map(\.name) == planned.metrics.map(\.name), "the same metrics every trial (metrics.csv's columns)")
        #expect(random.episodes.count == 1 && planned.episodes.count == 1)
    }

    /// A last trial that the real-step budget cuts short is not reported as an episode (its return would read
    /// as a bad trial); trials that run their length, or end in termination, are.
    @Test func aTrialCutShortByTheBudgetIsNotAnEpisode() throws {
        let config = try tiny(["n_timesteps=50"])  // trials of 20 steps: 20, 20, then 10 of a third
        let agent = try PETS(environment: environments.make("Pendulum-v1"), config: config, seed: 2)
        let reports = try (0..<3).map { _ in try agent.iterate() }
        #expect(reports.map(\.episodes.count) == [1, 1, 0] && agent.stepsDone == 50)
        #expect(reports.prefix(2).allSatisfy { $0.episodes.first?.length == 20 })
    }

    /// The claim itself, small: a planner on a learned model balances continuous CartPole within a
    /// thousand real steps, where uniformly random actions last about 20 steps. Seeds 0–2 reach a
    /// 200-step trial at about 425, 360 and 530 steps here, so the budget has margin.
    @Test func planningOnTheLearnedModelFarOutlastsRandomActions() throws {
        let config = try PETSHyperparameters().setting(["n_timesteps=1000", "population_size=100", "num_particles=5",
                                                        "hidden_size=32", "hidden_layers=2", "epochs=10"])
        var generator = RandomGenerator(seed: 9)
        let random = try evaluatePolicy(on: environments.make("CartPoleContinuous-v0"), episodes: 20, seed: 100) { _ in
            [Float(generator.nextUniformDouble() * 2 - 1)]
        }.mean
        #expect(random < 40)
        for seed: UInt64 in [0, 1] {
            let agent = try PETS(environment: environments.make("CartPoleContinuous-v0"), config: config, seed: seed)
            let trials = TrialReturns()
            try agent.learn(callbacks: [trials])  // the library loop: one BLAS thread, as `athanor train`
            let best = trials.returns.max() ?? 0
            #expect(best >= 150, "seed \(seed): trials \(trials.returns) (random actions: \(random))")
        }
    }

    final class TrialReturns: TrainingCallback {
        var returns: [Double] = []
        func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)] {
            returns += iteration.report.episodes.map(\.totalReward)
            return []
        }
    }

    /// What `watch` draws: the plan `act` chose and the model's states along it, from the observation on.
    @Test func thePlannedTrajectoryStartsAtTheObservationAndFollowsThePlan() throws {
        let config = try tiny()
        let agent = try PETS(environment: environments.make("CartPoleContinuous-v0"), config: config, seed: 3)
        for _ in 0..<2 { _ = try agent.iterate() }
        let observation: [Float] = [0.01, -0.02, 0.03, 0.04]
        let action = agent.act(observation, deterministic: true)
        #expect(agent.lastPlan.count == config.planningHorizon && Array(agent.lastPlan.prefix(1)) == action)
        let states = agent.predictedStates(along: agent.lastPlan, from: observation)
        #expect(states.count == config.planningHorizon + 1 && states[0] == observation)
        #expect(states.allSatisfy { $0.count == 4 && $0.allSatisfy(\.isFinite) })
        // One step is the elites' mean prediction for the plan's first action.
        var generator = RandomGenerator(seed: 0)
        let elites = agent.model.elites
        let next = agent.model.predict(observations: elites.flatMap { _ in observation }, actions: elites.flatMap { _ in action },
                                       members: elites, deterministic: true, using: &generator)
        for c in 0..<4 {
            let mean = elites.indices.map { next[$0 * 4 + c] }.reduce(0, +) / Float(elites.count)
            #expect(abs(states[1][c] - mean) <= 1e-6 * max(1, abs(mean)))
        }
    }

    @Test func anEnvironmentWithoutKnownRewardsIsRefused() throws {
        #expect(throws: TrainingError.self) {
            _ = try PETS(environment: environments.make("MountainCarContinuous-v0"), config: tiny(), seed: 0)
        }
        #expect(throws: (any Error).self) { _ = try PETSHyperparameters().setting(["num_elites=9"]) }
        #expect(throws: (any Error).self) { _ = try PETSHyperparameters().setting(["optimizer=adam"]) }
        // One random step is too little to fit a model on: an error, not a trap.
        let short = try PETS(environment: environments.make("CartPoleContinuous-v0"), config: tiny(["trial_length=1"]), seed: 0)
        _ = try short.iterate()
        #expect(throws: TrainingError.self) { _ = try short.iterate() }
    }

    @Test func aForeignOrDamagedCheckpointIsRefused() throws {
        let agent = try PETS(environment: environments.make("CartPoleContinuous-v0"), config: tiny(), seed: 2)
        _ = try agent.iterate()
        var file = try agent.checkpoint()
        file.tensors.removeAll { $0.name == "data.actions" }
        let other = try PETS(environment: environments.make("CartPoleContinuous-v0"), config: tiny(), seed: 2)
        #expect(throws: (any Error).self) { try other.restore(from: file) }
    }
}
