import RL
import Tensor

/// HER's settings under SB3's names (`replay_buffer_class: HerReplayBuffer` and its
/// `replay_buffer_kwargs`), shared by every off-policy agent's hyper-parameters.
public protocol HindsightSettings: Hyperparameters {
    var nEnvs: Int { get }
    var bufferSize: Int { get }
    /// Hindsight experience replay on a goal task.
    var her: Bool { get set }
    /// k: relabelled transitions per real one.
    var nSampledGoal: Int { get set }
    /// Which achieved goals replace the desired one: future, final or episode.
    var goalSelectionStrategy: String { get set }
}

extension HindsightSettings {
    static var hindsightRanges: [ParameterRange<Self>] { [
        .flag("her", \.her),
        .integer("n_sampled_goal", \.nSampledGoal, 1...64),
        ParameterRange("goal_selection_strategy", expected: "future, final or episode",
                       accepts: { HindsightReplay.Strategy(rawValue: $0.goalSelectionStrategy) != nil }, value: \.goalSelectionStrategy),
    ] }
}

/// What an off-policy agent learns from: its replay buffer and, with `her`, the episode index
/// that gives sampled minibatches hindsight goals. DQN, SAC and TD3 store and sample through it.
public struct ReplayMemory {
    public internal(set) var replay: ReplayBuffer
    public internal(set) var hindsight: HindsightReplay?

    /// A buffer of `capacity` transitions of `actionSize` numbers each; with a `hindsight`
    /// strategy, the environment must be a goal task collected by one copy (episodes are
    /// contiguous runs of slots) and k = `sampledGoals`.
    public init(capacity: Int, environment: any DynamicEnvironment, actionSize: Int,
                hindsight strategy: HindsightReplay.Strategy?, sampledGoals: Int, copies: Int = 1) throws {
        replay = ReplayBuffer(capacity: capacity, observationSize: environment.observationSpace.flatCount, actionSize: actionSize)
        guard let strategy else { return }
        guard let goal = environment.goalModel else {
            throw TrainingError.unsupported("hindsight relabelling needs a goal-conditioned environment (BitFlip-v0, GoalGridworld-v0, PointMass-v0)")
        }
        guard copies == 1 else { throw TrainingError.unsupported("her=true collects with n_envs=1, not \(copies)") }
        hindsight = HindsightReplay(capacity: capacity, goal: goal, strategy: strategy, sampledGoals: sampledGoals)
    }

    /// The memory `settings` ask for: HER's with `her=true`.
    public init(_ settings: some HindsightSettings, environment: any DynamicEnvironment, actionSize: Int) throws {
        try self.init(capacity: settings.bufferSize, environment: environment, actionSize: actionSize,
                      hindsight: settings.her ? HindsightReplay.Strategy(rawValue: settings.goalSelectionStrategy) ?? .future : nil,
                      sampledGoals: settings.nSampledGoal, copies: settings.nEnvs)
    }

    public var count: Int { replay.count }
    public var observationSize: Int { replay.observationSize }
    public var actionSize: Int { replay.actionSize }
    /// Whether a minibatch can be drawn: any transition, or with HER any finished episode.
    public var canSample: Bool { replay.count > 0 && (hindsight?.validCount ?? 1) > 0 }

    /// Stores the step every copy of `environments` just took from `observations` with `actions`.
    public mutating func addStep(observations: [Float], actions: [Float], of environments: any BatchedEnvironment) {
        replay.addStep(observations: observations, actions: actions, of: environments, hindsight: &hindsight)
    }

    /// A uniform minibatch of `size` transitions, or with HER one whose first k/(k+1) rows have
    /// goals their episodes achieved (every row with `relabellingAll`).
    public func sample(_ size: Int, relabellingAll: Bool = false, using generator: inout RandomGenerator) -> ReplayBatch {
        guard let hindsight else { return replay.batch(replay.sampleIndices(size, using: &generator)) }
        let slots = hindsight.sampleIndices(size, stored: replay.count, using: &generator)
        return hindsight.batch(from: replay, slots: slots, relabelling: relabellingAll ? size : nil, using: &generator)
    }
}

/// Where the buffer's ring and HER's open episode stood, for a checkpoint's progress record.
struct ReplayMemoryPosition: Codable {
    var replayCount: Int, replayPosition: Int
    /// HER's episode being collected (nil without HER).
    var hindsightCurrentStart: Int?, hindsightCurrentLength: Int?
}

extension ReplayMemory {
    var position: ReplayMemoryPosition {
        ReplayMemoryPosition(replayCount: replay.count, replayPosition: replay.position,
                             hindsightCurrentStart: hindsight?.currentStart, hindsightCurrentLength: hindsight?.currentLength)
    }
}

extension CheckpointBuilder {
    /// The buffer under "replay.*" and HER's episode index under "hindsight.*".
    mutating func addMemory(_ memory: ReplayMemory) {
        addReplay(memory.replay)
        if let hindsight = memory.hindsight {
            add(hindsight.episodeStart.map(Float.init), as: "hindsight.episode_start")
            add(hindsight.episodeLength.map(Float.init), as: "hindsight.episode_length")
        }
    }
}

extension CheckpointReader {
    /// Puts back what `addMemory` saved, validated against this agent's buffer.
    func loadMemory(into memory: inout ReplayMemory, at position: ReplayMemoryPosition) throws {
        try loadReplay(into: &memory.replay, count: position.replayCount, position: position.replayPosition)
        guard memory.hindsight != nil else { return }
        guard let start = position.hindsightCurrentStart, let length = position.hindsightCurrentLength else {
            throw TrainingError.checkpoint("progress has no hindsight episode (was this run trained with her=true?)")
        }
        try memory.hindsight?.restore(episodeStart: values("hindsight.episode_start"), episodeLength: values("hindsight.episode_length"),
                                      currentStart: start, currentLength: length)
    }
}
