import Agents
import Environments
import NN
import RL
import Testing
import Training

@Suite("MBPO: SAC on short rollouts of a learned ensemble")
struct MBPOTests {
    /// A very small MBPO: model epochs of 20 steps, a 2-member ensemble of 16 units, 10 rollouts per step.
    private func tiny(_ extra: [String] = []) throws -> MBPOHyperparameters {
        try MBPOHyperparameters().setting(["n_timesteps=80", "learning_starts=20", "freq_train_model=20", "effective_model_rollouts_per_step=10",
                                           "num_elites=2", "ensemble_size=2", "hidden_layers=1", "hidden_size=16", "model_epochs=3",
                                           "model_batch_size=32", "num_sac_updates_per_step=2", "sac_hidden_size=16", "sac_batch_size=16"] + extra)
    }

    /// Two model epochs, a checkpoint through bytes, two more in a fresh agent, equal four straight:
    /// the model, SAC's networks and moments, both buffers, the environment, the generators.
    /// (Also with some updates on real transitions: their draws continue exactly too.)
    @Test(arguments: ["0", "0.5"])
    func resumingContinuesExactly(realDataRatio: String) throws {
        let config = try tiny(["rollout_schedule=1,3,1,3", "real_data_ratio=\(realDataRatio)"])
        func fresh() throws -> MBPO { try MBPO(environment: environments.make("Pendulum-v1"), config: config, seed: 5) }
        let straight = try fresh(), first = try fresh(), resumed = try fresh()
        var metrics: [[Double]] = []
        for _ in 0..<4 { metrics.append(try straight.iterate().metrics.map(\.value)) }
        for _ in 0..<2 { _ = try first.iterate() }
        try resumed.restore(from: SafeTensors.decode(first.checkpoint().encoded()))
        var resumedMetrics: [[Double]] = []
        for _ in 0..<2 { resumedMetrics.append(try resumed.iterate().metrics.map(\.value)) }
        #expect(resumed.stepsDone == straight.stepsDone && resumed.stepsDone == 80)
        #expect(metrics.suffix(2).map { $0.map(\.bitPattern) } == resumedMetrics.map { $0.map(\.bitPattern) })
        let a = try straight.checkpoint().tensors, b = try resumed.checkpoint().tensors
        #expect(a.map(\.name) == b.map(\.name) && zip(a, b).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })
    }

    /// Random steps until learning_starts, then a fit per model epoch with rollouts of the
    /// scheduled length, and SAC learning from them from the step of the first rollouts on.
    @Test func theModelIsFittedEachEpochAndRolledOutOnSchedule() throws {
        let agent = try MBPO(environment: environments.make("Pendulum-v1"), config: tiny(["learning_starts=40", "rollout_schedule=1,3,1,3"]), seed: 1)
        func metric(_ report: TrainingReport, _ name: String) -> Double? { report.metrics.first { $0.name == name }?.value }
        let reports = try (0..<4).map { _ in try agent.iterate() }
        #expect(reports.map { metric($0, "rollout/length") ?? -1 }.dropFirst() == [1, 2, 3])
        #expect(metric(reports[0], "model/nll")?.isNaN == true && metric(reports[0], "losses/qf_loss")?.isNaN == true,
                "no fit and no SAC update before learning_starts")
        #expect(reports.dropFirst().allSatisfy { metric($0, "model/nll")?.isFinite == true && metric($0, "losses/qf_loss")?.isFinite == true })
        #expect(Set(reports.map { $0.metrics.map(\.name) }).count == 1, "the same metrics every epoch (metrics.csv's columns)")
        #expect(MBPOHyperparameters().rolloutLength(epoch: 20) == 1)
        var growing = MBPOHyperparameters()
        growing.rolloutSchedule = [20, 100, 1, 5]
        #expect([1, 20, 60, 100, 200].map(growing.rolloutLength) == [1, 1, 3, 5, 5])
    }

    @Test func badSettingsAndEnvironmentsWithoutKnownRewardsAreRefused() throws {
        #expect(throws: TrainingError.self) {
            _ = try MBPO(environment: environments.make("MountainCarContinuous-v0"), config: tiny(), seed: 0)
        }
        for bad in ["num_elites=9", "rollout_schedule=1,15,1", "rollout_schedule=15,1,1,1", "rollout_schedule=1,15,0,1", "learning_starts=1", "real_data_ratio=1.5"] {
            #expect(throws: (any Error).self, "\(bad)") { _ = try MBPOHyperparameters().setting([bad]) }
        }
        let agent = try MBPO(environment: environments.make("Pendulum-v1"), config: tiny(), seed: 2)
        _ = try agent.iterate()
        var file = try agent.checkpoint()
        file.tensors.removeAll { $0.name == "imagined.actions" }
        let other = try MBPO(environment: environments.make("Pendulum-v1"), config: tiny(), seed: 2)
        #expect(throws: (any Error).self) { try other.restore(from: file) }
    }
}
