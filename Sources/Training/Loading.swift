import Agents
import NN
import RL

extension DeepAgent {
    /// The agent of a run directory, restored from its last checkpoint, or with `best` from the
    /// best model of its periodic evaluations. `learn(run:)` on it continues the run.
    public static func load(from run: RunDirectory, best: Bool = false) throws -> Self {
        let agent = try DeepAgents.load(from: run, best: best)
        guard let typed = agent as? Self else {
            throw RunError.wrongAgent(directory: run.path, expected: Self.id, found: type(of: agent).id)
        }
        return typed
    }
}

extension DeepAgents {
    /// Whatever agent a run directory holds, restored as `DeepAgent.load(from:best:)` does.
    public static func load(from run: RunDirectory, best: Bool = false) throws -> any DeepAgent {
        let agent = try run.configuration().makeAgent()
        try agent.restore(from: run.checkpoint(best: best))
        return agent
    }
}
