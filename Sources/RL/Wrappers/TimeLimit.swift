import Drawing

/// Truncates episodes after `maxEpisodeSteps` steps, as Gymnasium's `TimeLimit` (which
/// `make` adds from each id's registration: CartPole-v1 500, MountainCar-v0 200, …).
public struct TimeLimit<Base: Environment>: Environment {
    public var base: Base
    public let maxEpisodeSteps: Int
    public private(set) var elapsedSteps = 0

    public init(_ base: Base, maxEpisodeSteps: Int) {
        precondition(maxEpisodeSteps > 0, "maxEpisodeSteps must be positive")
        self.base = base
        self.maxEpisodeSteps = maxEpisodeSteps
    }

    public var observationSpace: Space { base.observationSpace }
    public var actionSpace: Space { base.actionSpace }

    public mutating func reset(seed: UInt64?) -> (observation: Base.Observation, info: Info) {
        elapsedSteps = 0
        return base.reset(seed: seed)
    }

    public mutating func step(_ action: Base.Action) -> Transition<Base.Observation> {
        var transition = base.step(action)
        elapsedSteps += 1
        if elapsedSteps >= maxEpisodeSteps { transition.truncated = true }
        return transition
    }
}

extension TimeLimit: StateSettable where Base: StateSettable {
    public mutating func setState(_ state: [Double]) throws { try base.setState(state) }
}

extension TimeLimit: TabularMDP where Base: TabularMDP {
    public var stateCount: Int { base.stateCount }
    public var actionCount: Int { base.actionCount }
    public func outcomes(state: Int, action: Int) -> [Outcome] { base.outcomes(state: state, action: action) }
}

extension TimeLimit: DynamicEnvironment where Base: DynamicEnvironment, Base.Observation: FlatObservation, Base.Action: FlatAction {
    public func renderText() -> String { base.renderText() }
    public var scene: any Scene { base.scene }
    public mutating func setStateFlat(_ state: [Double]) throws { try base.setStateFlat(state) }
    public var tabularModel: (any TabularMDP)? { base.tabularModel }
    public var goalModel: GoalModel? { base.goalModel }
    public var planningModel: PlanningModel? { base.planningModel }
}

// A time-limited environment is saved with its step count, so a resumed run truncates on time.
extension TimeLimit: Codable where Base: Codable {}
