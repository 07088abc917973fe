import Drawing
import Random

/// Errors from environments driven by text and numbers (the registry, the CLI, the checker).
public enum EnvironmentError: Error, CustomStringConvertible, Equatable {
    case unknownID(String, known: [String])
    case unknownOption(id: String, option: String, known: [String])
    case invalidOption(id: String, option: String, value: String, expected: String)
    case invalidAction(String)
    case invalidState(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .unknownID(let id, let known):
            "unknown environment id '\(id)'; known ids: \(known.joined(separator: ", "))"
        case .unknownOption(let id, let option, let known):
            "\(id) has no option '\(option)'" + (known.isEmpty ? " (it takes none)" : "; options: \(known.joined(separator: ", "))")
        case .invalidOption(let id, let option, let value, let expected):
            "\(id) option \(option)=\(value) is invalid: expected \(expected)"
        case .invalidAction(let detail): "invalid action: \(detail)"
        case .invalidState(let detail): "invalid state: \(detail)"
        case .unsupported(let detail): detail
        }
    }
}

/// An environment whose internal state can be set exactly as Gymnasium stores it in
/// `env.unwrapped.state` (for replaying reference trajectories).
public protocol StateSettable {
    mutating func setState(_ state: [Double]) throws
}

/// Any environment, driven by flat numbers: what the registry hands out to the CLI and the
/// checker. Typed code uses the concrete environments instead.
public protocol DynamicEnvironment {
    var observationSpace: Space { get }
    var actionSpace: Space { get }
    mutating func resetFlat(seed: UInt64?) -> (observation: [Float], info: Info)
    mutating func stepFlat(_ action: [Double]) throws -> Transition<[Float]>
    mutating func setStateFlat(_ state: [Double]) throws
    /// The current state drawn as text (Gymnasium's "ansi" render mode).
    func renderText() -> String
    /// The current state described for a renderer.
    var scene: any Scene { get }
    /// The full model, for tabular environments.
    var tabularModel: (any TabularMDP)? { get }
    /// The goal layout and reward function, for goal-conditioned tasks (hindsight relabelling).
    var goalModel: GoalModel? { get }
    /// The reward and termination as functions of observations, for model-based planners.
    var planningModel: PlanningModel? { get }
    /// Copies of this environment stepped together, for deep agents.
    func makeBatched(copies: Int, threads: Int) throws -> any BatchedEnvironment
}

extension DynamicEnvironment where Self: Environment, Observation: FlatObservation, Action: FlatAction {
    public mutating func resetFlat(seed: UInt64?) -> (observation: [Float], info: Info) {
        let (observation, info) = reset(seed: seed)
        return (observation.flatValues, info)
    }

    public mutating func stepFlat(_ action: [Double]) throws -> Transition<[Float]> {
        guard let typed = Action(flatValues: action, space: actionSpace) else {
            throw EnvironmentError.invalidAction("\(action.map { String($0) }.joined(separator: ";")) is not in \(actionSpace)")
        }
        let t = step(typed)
        return Transition(observation: t.observation.flatValues, reward: t.reward, terminated: t.terminated, truncated: t.truncated,
                          info: t.info)
    }

    public mutating func setStateFlat(_ state: [Double]) throws {
        throw EnvironmentError.unsupported("this environment does not take a start state")
    }

    public var tabularModel: (any TabularMDP)? { nil }
    public var goalModel: GoalModel? { nil }
    public var planningModel: PlanningModel? { nil }
}

extension DynamicEnvironment where Self: Environment, Observation: FlatObservation, Action: FlatAction {
    public func makeBatched(copies: Int, threads: Int) throws -> any BatchedEnvironment {
        guard copies >= 1, threads >= 1 else {
            throw EnvironmentError.unsupported("a batch needs at least one copy and one thread (got \(copies), \(threads))")
        }
        return VectorEnvironment(copies: copies, threads: threads) { _ in self }
    }
}

extension DynamicEnvironment where Self: Environment & StateSettable, Observation: FlatObservation, Action: FlatAction {
    public mutating func setStateFlat(_ state: [Double]) throws { try setState(state) }
}

extension DynamicEnvironment where Self: Environment & TabularMDP, Observation: FlatObservation, Action: FlatAction {
    public var tabularModel: (any TabularMDP)? { self }
}

extension DynamicEnvironment where Self: GoalEnvironment, Action: FlatAction {
    public var goalModel: GoalModel? { makeGoalModel() }
}

extension DynamicEnvironment where Self: Environment & PlanningTask, Observation: FlatObservation, Action: FlatAction {
    public var planningModel: PlanningModel? { Self.planningModel }
}
