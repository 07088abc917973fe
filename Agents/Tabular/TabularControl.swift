import RL
import Tensor

// What the one-step and n-step control methods of Sutton & Barto chapters 6–7 share: the
// hyper-parameters under the book's names, ε-greedy action choice, and the record of a run.

/// Hyper-parameters with the book's names (and `--set alpha=…` spelling in the CLI).
public struct TabularHyperparameters: ParameterSet {
    /// Step size α.
    public var alpha = 0.5
    /// Exploration rate ε of the ε-greedy behaviour policy.
    public var epsilon = 0.1
    /// Discount γ.
    public var gamma = 1.0
    /// Steps of the n-step methods; planning steps per real step in Dyna.
    public var n = 4
    /// Initial action value Q₁ (optimistic when positive).
    public var initialValue = 0.0
    /// Dyna-Q+'s exploration bonus weight κ (planning reward r + κ√τ).
    public var kappa = 0.001
    /// Dynamic programming's tolerance θ: sweeps stop when no value moves by more.
    public var theta = 1e-10

    public static var ranges: [ParameterRange<Self>] { [
        .number("alpha", \.alpha, .above(0, upTo: 1)),
        .number("epsilon", \.epsilon, .closed(0, 1)),
        .number("gamma", \.gamma, .closed(0, 1)),
        .integer("n", \.n, 0...1_000_000),
        .number("q1", \.initialValue, .closed(-1e9, 1e9)),
        .number("kappa", \.kappa, .closed(0, 1e3)),
        .number("theta", \.theta, .above(0, upTo: 1)),
    ] }

    enum CodingKeys: String, CodingKey { case alpha, epsilon, gamma, n, initialValue = "q1", kappa, theta }

    public init(alpha: Double = 0.5, epsilon: Double = 0.1, gamma: Double = 1.0, n: Int = 4, initialValue: Double = 0,
                kappa: Double = 0.001, theta: Double = 1e-10) {
        (self.alpha, self.epsilon, self.gamma, self.n, self.initialValue, self.kappa, self.theta) =
            (alpha, epsilon, gamma, n, initialValue, kappa, theta)
    }
}

/// What a tabular control run leaves: its action values and how each episode went.
public struct TabularRun: Sendable {
    public var q: [[Double]]
    public var episodeReturns: [Double] = []
    public var episodeLengths: [Int] = []

    public init(states: Int, actions: Int, initialValue: Double) {
        q = Array(repeating: Array(repeating: initialValue, count: actions), count: states)
    }

    /// max_a Q(s, a) per state.
    public var values: [Double] { q.map { $0.max() ?? 0 } }
    /// The greedy action per state (the first of equal ones).
    public var policy: [Int] { q.map { row in row.firstIndex(of: row.max() ?? 0) ?? 0 } }
}

extension Environment where Observation == Int, Action == Int {
    var tabularSizes: (states: Int, actions: Int) {
        guard let states = observationSpace.discreteCount, let actions = actionSpace.discreteCount else {
            preconditionFailure("tabular methods need discrete observation and action spaces")
        }
        return (states, actions)
    }
}

/// A greedy action with ties broken at random, or with probability ε a uniformly random one.
/// Values that are not numbers have no greedy action: then any action (the run that made them
/// is refused after training by `TabularAgents`' finiteness check).
public func epsilonGreedy(_ values: [Double], epsilon: Double, using generator: inout RandomGenerator) -> Int {
    if epsilon > 0 && generator.nextUniformDouble() < epsilon { return generator.nextInt(below: values.count) }
    guard let best = values.max() else { return 0 }
    let ties = values.indices.filter { values[$0] == best }
    if ties.isEmpty { return generator.nextInt(below: values.count) }
    return ties.count == 1 ? ties[0] : ties[generator.nextInt(below: ties.count)]
}

/// E_π[Q(s′, ·)] under the ε-greedy policy above: (1 − ε)·max + ε·mean (tied greedy actions
/// share the greedy probability, so ties do not change it).
public func epsilonGreedyExpectation(_ values: [Double], epsilon: Double) -> Double {
    (1 - epsilon) * values.max()! + epsilon * values.reduce(0, +) / Double(values.count)
}

extension TabularRun {
    /// The loop the off-policy one-step methods share: in each step choose A ε-greedily in Q,
    /// take it, and hand (S, A, transition) to `learn`, which writes the method's update.
    /// Episode returns and lengths are recorded here.
    public static func oneStepControl<E: Environment>(
        _ environment: inout E, episodes: Int, seed: UInt64, hyperparameters h: TabularHyperparameters,
        learn: (inout TabularRun, _ state: Int, _ action: Int, _ transition: Transition<Int>, inout RandomGenerator) -> Void
    ) -> TabularRun where E.Observation == Int, E.Action == Int {
        let (states, actions) = environment.tabularSizes
        var run = TabularRun(states: states, actions: actions, initialValue: h.initialValue)
        var generator = RandomGenerator(seed: seed)
        for episode in 0..<episodes {
            var s = environment.reset(seed: episode == 0 ? seed : nil).observation
            var total = 0.0, length = 0
            while true {
                let a = epsilonGreedy(run.q[s], epsilon: h.epsilon, using: &generator)
                let t = environment.step(a)
                learn(&run, s, a, t, &generator)
                total += t.reward
                length += 1
                s = t.observation
                if t.isLast { break }
            }
            run.episodeReturns.append(total)
            run.episodeLengths.append(length)
        }
        return run
    }
}
