/// One outcome of taking an action: Gymnasium's `env.P[s][a]` entry (probability, next state,
/// reward, terminated).
public struct Outcome: Equatable, Sendable {
    public var probability: Double
    public var nextState: Int
    public var reward: Double
    public var terminal: Bool

    public init(probability: Double, nextState: Int, reward: Double, terminal: Bool) {
        self.probability = probability
        self.nextState = nextState
        self.reward = reward
        self.terminal = terminal
    }
}

/// A finite MDP with its full model P(s′, r | s, a), for dynamic programming.
public protocol TabularMDP {
    var stateCount: Int { get }
    var actionCount: Int { get }
    /// Outcomes of `action` in `state`, in Gymnasium's order; probabilities sum to 1.
    func outcomes(state: Int, action: Int) -> [Outcome]
}

extension TabularMDP {
    /// The model as Gymnasium's `env.P`: `{"P": {"s": {"a": [[p, s′, r, terminal], …]}}}`.
    public func transitionTableJSON() -> String {
        var states: [String] = []
        for s in 0..<stateCount {
            let actions = (0..<actionCount).map { a in
                let entries = outcomes(state: s, action: a).map { o in
                    "[\(o.probability), \(o.nextState), \(o.reward), \(o.terminal)]"
                }
                return "\"\(a)\": [\(entries.joined(separator: ", "))]"
            }
            states.append("\"\(s)\": {\(actions.joined(separator: ", "))}")
        }
        return "{\"P\": {\(states.joined(separator: ", "))}}"
    }
}
