import RL

// Dynamic programming on a known model (Sutton & Barto, 2nd ed., chapter 4), read off the
// book's boxed algorithms. A transition marked terminal does not bootstrap: its target is the
// reward alone, as Gymnasium's `env.P` intends.

/// A stochastic policy as a table π(a | s).
public typealias PolicyTable = [[Double]]

/// The equiprobable random policy.
public func uniformPolicy(states: Int, actions: Int) -> PolicyTable {
    Array(repeating: Array(repeating: 1 / Double(actions), count: actions), count: states)
}

/// Σ_{s′, r} p(s′, r | s, a) [r + γ V(s′)], the one-step look-ahead.
@inlinable
public func actionValue(_ mdp: any TabularMDP, _ values: [Double], state: Int, action: Int, gamma: Double) -> Double {
    mdp.outcomes(state: state, action: action).reduce(0) { total, o in
        total + o.probability * (o.reward + (o.terminal ? 0 : gamma * values[o.nextState]))
    }
}

/// Iterative policy evaluation (§4.1): sweeps V(s) ← Σ_a π(a|s) q(s, a) until the largest change
/// in a sweep is below θ. In place (the book's box) or synchronous, from two arrays (Figure 4.1's
/// iterates k = 0, 1, 2, …).
public func evaluatePolicy(_ mdp: any TabularMDP, policy: PolicyTable, gamma: Double, theta: Double = 1e-10,
                           inPlace: Bool = true, maxSweeps: Int = 100_000,
                           startingFrom initial: [Double]? = nil) -> (values: [Double], sweeps: Int) {
    precondition(policy.count == mdp.stateCount && policy.allSatisfy { $0.count == mdp.actionCount },
                 "the policy needs a row of \(mdp.actionCount) probabilities per state")
    var values = initial ?? Array(repeating: 0, count: mdp.stateCount)
    for sweep in 1...maxSweeps {
        let old = values
        var delta = 0.0
        for s in 0..<mdp.stateCount {
            let source = inPlace ? values : old
            let v = (0..<mdp.actionCount).reduce(0) { $0 + policy[s][$1] * actionValue(mdp, source, state: s, action: $1, gamma: gamma) }
            delta = Swift.max(delta, Swift.abs(v - values[s]))
            values[s] = v
        }
        if delta < theta { return (values, sweep) }
    }
    return (values, maxSweeps)
}

/// The greedy action in each state (the first of equal ones, to a tolerance).
public func greedyPolicy(_ mdp: any TabularMDP, values: [Double], gamma: Double) -> [Int] {
    (0..<mdp.stateCount).map { s in
        let q = (0..<mdp.actionCount).map { actionValue(mdp, values, state: s, action: $0, gamma: gamma) }
        let best = q.max()!
        return q.firstIndex { $0 >= best - 1e-9 }!
    }
}

/// Value iteration (§4.4): V(s) ← max_a q(s, a), in place, until a sweep changes nothing by θ
/// (`converged`) or `maxSweeps` sweeps are done (γ = 1 on a continuing task never converges).
public func valueIteration(_ mdp: any TabularMDP, gamma: Double, theta: Double = 1e-10,
                           maxSweeps: Int = 100_000) -> (values: [Double], policy: [Int], sweeps: Int, converged: Bool) {
    var values = Array(repeating: 0.0, count: mdp.stateCount)
    var sweeps = maxSweeps, converged = false
    for sweep in 1...maxSweeps {
        var delta = 0.0
        for s in 0..<mdp.stateCount {
            let v = (0..<mdp.actionCount).map { actionValue(mdp, values, state: s, action: $0, gamma: gamma) }.max()!
            delta = Swift.max(delta, Swift.abs(v - values[s]))
            values[s] = v
        }
        if delta < theta { (sweeps, converged) = (sweep, true); break }
        if !delta.isFinite { sweeps = sweep; break }
    }
    return (values, greedyPolicy(mdp, values: values, gamma: gamma), sweeps, converged)
}

/// Policy iteration (§4.3): evaluate, improve greedily, repeat until the policy is stable
/// (`converged`: stable, and every evaluation converged within its sweeps).
public func policyIteration(_ mdp: any TabularMDP, gamma: Double, theta: Double = 1e-10, maxIterations: Int = 1_000,
                            maxSweeps: Int = 100_000) -> (values: [Double], policy: [Int], iterations: Int, evaluationSweeps: Int, converged: Bool) {
    var policy = Array(repeating: 0, count: mdp.stateCount)
    var values = Array(repeating: 0.0, count: mdp.stateCount)
    var totalSweeps = 0
    for iteration in 1...maxIterations {
        let table = policy.map { a in (0..<mdp.actionCount).map { $0 == a ? 1.0 : 0.0 } }
        let evaluation = evaluatePolicy(mdp, policy: table, gamma: gamma, theta: theta, maxSweeps: maxSweeps, startingFrom: values)
        values = evaluation.values
        totalSweeps += evaluation.sweeps
        if evaluation.sweeps == maxSweeps || !values.allSatisfy(\.isFinite) { return (values, policy, iteration, totalSweeps, false) }
        // Keep the old action unless another is strictly better, so ties cannot cycle.
        var stable = true
        for s in 0..<mdp.stateCount {
            let q = (0..<mdp.actionCount).map { actionValue(mdp, values, state: s, action: $0, gamma: gamma) }
            if q.max()! > q[policy[s]] + 1e-9 {
                policy[s] = q.firstIndex(of: q.max()!)!
                stable = false
            }
        }
        if stable { return (values, policy, iteration, totalSweeps, true) }
    }
    return (values, policy, maxIterations, totalSweeps, false)
}
