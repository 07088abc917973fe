import Foundation

/// What `athanor env replay` reads: an optional start state (`x,ẋ,θ,θ̇`) and actions
/// (`1,0,1`, with `;` between the components of one continuous action: `0.5;-1,1;0`).
/// Every number must be finite: a state or action of NaN has no meaning to step.
public struct ReplayScript: Equatable, Sendable {
    public var start: [Double]?
    public var actions: [[Double]]

    public init(start: [Double]?, actions: [[Double]]) { (self.start, self.actions) = (start, actions) }

    /// Parses the command line's text; throws `EnvironmentError.invalidState` / `.invalidAction`
    /// naming the first number that is not one.
    public init(start: String?, actions: String) throws {
        self.start = try start.map { try Self.numbers($0, separator: ",") { EnvironmentError.invalidState("--start: \($0)") } }
        self.actions = try actions.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { index, text in
            try Self.numbers(String(text), separator: ";") { EnvironmentError.invalidAction("action \(index + 1): \($0)") }
        }
    }

    /// One transition per action from the environment's state after `reset(seed:)` (or the
    /// start state); throws when an action is refused or the environment's numbers stop being finite.
    public func run(on environment: inout any DynamicEnvironment, seed: UInt64) throws -> [Transition<[Float]>] {
        _ = environment.resetFlat(seed: seed)
        if let start { try environment.setStateFlat(start) }
        return try actions.enumerated().map { index, action in
            let t = try environment.stepFlat(action)
            guard t.reward.isFinite, t.observation.allSatisfy(\.isFinite) else {
                throw EnvironmentError.invalidState("step \(index + 1) left the state or reward not finite (the start state is out of the environment's range)")
            }
            return t
        }
    }

    private static func numbers(_ text: String, separator: Character, error: (String) -> EnvironmentError) throws -> [Double] {
        try text.split(separator: separator).map { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed), value.isFinite else {
                throw error("'\(trimmed.prefix(40))' is not a finite number")
            }
            return value
        }
    }
}
