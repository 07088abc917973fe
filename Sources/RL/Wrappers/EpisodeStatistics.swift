import Drawing

/// Return and length of finished episodes (Gymnasium's `RecordEpisodeStatistics`).
public struct EpisodeRecord: Equatable, Sendable {
    public var totalReward: Double
    public var length: Int

    public init(totalReward: Double, length: Int) {
        self.totalReward = totalReward
        self.length = length
    }
}

/// Keeps the running return and length of the current episode and the records of the last
/// `historyLength` finished ones.
public struct EpisodeStatistics<Base: Environment>: Environment {
    public var base: Base
    public let historyLength: Int
    public private(set) var currentReturn = 0.0
    public private(set) var currentLength = 0
    /// Finished episodes, oldest first, at most `historyLength`.
    public private(set) var history: [EpisodeRecord] = []
    public private(set) var episodeCount = 0

    public init(_ base: Base, historyLength: Int = 100) {
        self.base = base
        self.historyLength = historyLength
    }

    public var observationSpace: Space { base.observationSpace }
    public var actionSpace: Space { base.actionSpace }
    public var lastEpisode: EpisodeRecord? { history.last }

    public mutating func reset(seed: UInt64?) -> (observation: Base.Observation, info: Info) {
        currentReturn = 0
        currentLength = 0
        return base.reset(seed: seed)
    }

    /// At the end of an episode the info gains Gymnasium's `episode`: `r` (return) and `l` (length).
    public mutating func step(_ action: Base.Action) -> Transition<Base.Observation> {
        var transition = base.step(action)
        currentReturn += transition.reward
        currentLength += 1
        if transition.isLast {
            if history.count == historyLength { history.removeFirst() }
            history.append(EpisodeRecord(totalReward: currentReturn, length: currentLength))
            episodeCount += 1
            transition.info["episode"] = .dictionary(["r": .number(currentReturn), "l": .number(Double(currentLength))])
        }
        return transition
    }
}

extension EpisodeStatistics: StateSettable where Base: StateSettable {
    public mutating func setState(_ state: [Double]) throws { try base.setState(state) }
}

extension EpisodeStatistics: DynamicEnvironment where Base: DynamicEnvironment, Base.Observation: FlatObservation, Base.Action: FlatAction {
    public func renderText() -> String { base.renderText() }
    public var scene: any Scene { base.scene }
    public mutating func setStateFlat(_ state: [Double]) throws { try base.setStateFlat(state) }
    public var tabularModel: (any TabularMDP)? { base.tabularModel }
    public var goalModel: GoalModel? { base.goalModel }
    public var planningModel: PlanningModel? { base.planningModel }
}
