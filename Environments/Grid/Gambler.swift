import Drawing
import RL
import Random

/// Sutton & Barto Example 4.3, the gambler's problem: capital s ∈ 1…goal−1, stake a ∈ 1…min(s, goal − s);
/// heads (probability `headsProbability`) wins the stake, tails loses it; reward +1 on reaching the goal,
/// episodes end at 0 or the goal. States are 0…goal; action index i stakes i + 1 (stakes larger than
/// allowed are clamped to the largest allowed, so every state has the same action count).
public struct Gambler: TableEnvironment {
    public let goal: Int
    public let headsProbability: Double
    public let model: TableMDP
    public var position: Int
    public var generator = RandomGenerator(seed: 0)

    public init(goal: Int = 100, headsProbability: Double = 0.4, start: Int? = nil) {
        precondition(goal >= 2 && (0...1).contains(headsProbability), "the gambler needs a goal ≥ 2 and a probability")
        self.goal = goal
        self.headsProbability = headsProbability
        let stakes = goal / 2
        let table = (0...goal).map { s -> [[Outcome]] in
            (1...stakes).map { requested -> [Outcome] in
                if s == 0 || s == goal { return [Outcome(probability: 1, nextState: s, reward: 0, terminal: true)] }
                let stake = Swift.min(requested, s, goal - s)
                return [Outcome(probability: headsProbability, nextState: s + stake, reward: s + stake == goal ? 1 : 0, terminal: s + stake == goal),
                        Outcome(probability: 1 - headsProbability, nextState: s - stake, reward: 0, terminal: s - stake == 0)]
            }
        }
        let first = start ?? goal / 2
        model = TableMDP(table: table, startDistribution: (0...goal).map { $0 == first ? 1 : 0 })
        position = first
    }
}

extension Gambler: DynamicEnvironment {
    public var scene: any Scene { BanditScene(trueValues: [Double(position) / Double(goal)]) }
    public func renderText() -> String { "capital \(position) of \(goal)" }
}
