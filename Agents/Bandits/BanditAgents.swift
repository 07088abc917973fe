import Foundation
import RL
import Tensor

/// An agent for the k-armed bandit problem (Sutton & Barto chapter 2): pick an arm, learn from its reward.
public protocol BanditAgent {
    /// The agent's current estimate of each arm's value (what a renderer shows).
    var estimates: [Double] { get }
    mutating func selectArm(using generator: inout RandomGenerator) -> Int
    mutating func update(arm: Int, reward: Double)
}
