import Datasets
import NN
import RL
import Tensor

/// What discrete offline Q-learners (CQL, BCQ) share of their settings under d3rlpy's names.
protocol OfflineQSettings: Hyperparameters {
    var nTimesteps: Int { get }
    var dataset: String { get }
    var learningRate: ScheduledValue { get }
    var batchSize: Int { get }
    var gamma: Double { get }
    var targetUpdateInterval: Int { get }
    var netArch: [Int] { get }
}

extension DiscreteCQLHyperparameters: OfflineQSettings {}
extension DiscreteBCQHyperparameters: OfflineQSettings {}

extension OfflineQSettings {
    static var offlineQRanges: [ParameterRange<Self>] { [
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        ParameterRange("dataset", expected: "a path (a Minari folder or a .npz file)", accepts: { _ in true }, value: \.dataset),
        .schedule("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .integer("batch_size", \.batchSize, 1...Limits.batch),
        .number("gamma", \.gamma, .closed(0, 1)),
        .integer("target_update_interval", \.targetUpdateInterval, 1...Limits.steps),
        .layers("net_arch", \.netArch, sizes: 1...Limits.layerSize),
    ] }
}

/// The number of actions of a discrete offline learner, refusing continuous data or environments.
func offlineDiscreteActions(_ environment: any DynamicEnvironment, _ data: OfflineData) throws -> Int {
    guard let actions = environment.actionSpace.discreteCount, data.dataset.discreteActions != nil else {
        throw TrainingError.unsupported("this agent needs discrete actions, not \(environment.actionSpace)")
    }
    return actions
}

/// d3rlpy's Double DQN error, E[Huber(Q(s, a) − y)] with y = r + γ(1 − d)·Q̄(s′, a′): `taken` is
/// Q(s, a) per row, `targetNext` Q̄(s′, ·) [batch, actions], and a′ the online network's choice at
/// s′ (`nextActions`; BCQ's is filtered by its imitator).
public func doubleDQNError(taken: Tensor, targetNext: Tensor, nextActions: [Int], rewards: [Float], terminated: [Float], gamma: Float) -> Tensor {
    let y = withoutGrad { Tensor(rewards) + gamma * Tensor(terminated.map { 1 - $0 }) * targetNext.gather(alongLastAxis: nextActions) }
    return Loss.huber(taken, y)
}

extension ReplayBatch {
    /// The rows' actions as indices (discrete datasets).
    var actionIndices: [Int] { actions.map { Int($0) } }
}

/// What the offline actor-critics (IQL, TD3+BC) share of their settings under d3rlpy's names.
protocol OfflineActorCriticSettings: Hyperparameters {
    var nTimesteps: Int { get }
    var dataset: String { get }
    var actorLearningRate: Double { get }
    var criticLearningRate: Double { get }
    var batchSize: Int { get }
    var gamma: Double { get }
    var tau: Double { get }
    var netArch: [Int] { get }
}

extension IQLHyperparameters: OfflineActorCriticSettings {}
extension TD3PlusBCHyperparameters: OfflineActorCriticSettings {}

extension OfflineActorCriticSettings {
    static var offlineActorCriticRanges: [ParameterRange<Self>] { [
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        ParameterRange("dataset", expected: "a path (a Minari folder or a .npz file)", accepts: { _ in true }, value: \.dataset),
        .number("actor_learning_rate", \.actorLearningRate, .above(0, upTo: 1)),
        .number("critic_learning_rate", \.criticLearningRate, .above(0, upTo: 1)),
        .integer("batch_size", \.batchSize, 1...Limits.batch),
        .number("gamma", \.gamma, .closed(0, 1)),
        .number("tau", \.tau, .above(0, upTo: 1)),
        .layers("net_arch", \.netArch, sizes: 1...Limits.layerSize),
    ] }
}
