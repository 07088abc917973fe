import Agents
import Benchmarks
import Foundation
import RL
import Training
import Yams

/// A sweep that cannot be planned, run or merged, in one line.
public struct SweepError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A grid of training runs, read from YAML:
///
///     name: cartpole-lr             # the folder sweeps/NAME
///     agents: [ppo, a2c]            # or, instead of agents and envs, `bench: classic` (+ `only: CartPole-v1`):
///     envs: [CartPole-v1, {id: BitFlip-v0, options: {n: 8}}]   # the benchmark's entries, --preset zoo
///     seeds: 3                      # 0, 1, 2; or a list [0, 5, 9]
///     preset: zoo                   # default (SB3's defaults) or zoo
///     steps: 20000                  # the budget (default: the preset's n_timesteps)
///     set:                          # a list is swept, a scalar is fixed for every run
///       learning_rate: [0.0003, 0.001]
///     evaluations: 20               # periodic evaluations per run (best model kept), 10 episodes each
///     checkpoint_every: 5000        # a preempted task resumes from here
///
/// Every run is scored as `bench classic` scores it: the final policy and the best model, each by
/// 20 deterministic episodes on the environment seeded 10 000 + seed.
public struct SweepSpec: Equatable, Sendable {
    public var name: String
    public var bench: String?
    public var only: String?
    public var agents: [String] = []
    public var environments: [EnvironmentReference] = []
    public var seeds: [UInt64] = [0, 1, 2]
    public var preset = "default"
    public var steps: Int?
    /// Settings in the file's order: each with the values it takes (one value: fixed).
    public var grid: [(name: String, values: [String])] = []
    public var evaluations = ClassicEntry.evaluationsPerRun
    public var episodesPerEvaluation = ClassicEntry.episodesPerEvaluation
    public var finalEpisodes = 20
    public var checkpointEvery: Int?

    public static let benches = ["classic"]

    public init(name: String) { self.name = name }

    public static func == (a: SweepSpec, b: SweepSpec) -> Bool {
        a.name == b.name && a.bench == b.bench && a.only == b.only && a.agents == b.agents && a.environments == b.environments
            && a.seeds == b.seeds && a.preset == b.preset && a.steps == b.steps && a.grid.map(\.name) == b.grid.map(\.name)
            && a.grid.map(\.values) == b.grid.map(\.values) && a.evaluations == b.evaluations
            && a.episodesPerEvaluation == b.episodesPerEvaluation && a.finalEpisodes == b.finalEpisodes
            && a.checkpointEvery == b.checkpointEvery
    }

    public init(contentsOf url: URL) throws {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw SweepError("cannot read the sweep spec \(url.path)") }
        try self.init(yaml: text, path: url.path)
    }

    public init(yaml: String, path: String = "<spec>") throws {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch {
            throw SweepError("\(path) is not YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let node, !Self.hasComplexKey(node), let top = node.mapping else {
            throw SweepError("\(path) is not a sweep spec (a mapping with name, agents, envs, seeds, …)")
        }
        func fail(_ key: String, _ what: String) -> SweepError { SweepError("\(path): \(key) \(what)") }
        func scalars(_ key: String, _ node: Node) throws -> [String] {
            if let s = node.scalar?.string { return [s] }
            guard let items = node.sequence, !items.isEmpty else { throw fail(key, "must be a value or a non-empty list of values") }
            return try items.map { item in
                guard let s = item.scalar?.string else { throw fail(key, "must list plain values") }
                return s
            }
        }
        func count(_ key: String, _ node: Node, _ range: ClosedRange<Int>) throws -> Int {
            guard let s = node.scalar?.string, let n = Int(s) ?? Double(s).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }),
                  range.contains(n) else { throw fail(key, "must be a whole number in \(range.lowerBound)…\(range.upperBound)") }
            return n
        }
        var name: String?
        var spec = SweepSpec(name: "")
        for (keyNode, value) in top {
            let key = keyNode.scalar?.string ?? ""
            switch key {
            case "name":
                guard let s = value.scalar?.string, Self.isSafeName(s) else {
                    throw fail("name", "must be letters, digits, '-', '_' or '.' (it names the folder sweeps/NAME)")
                }
                name = s
            case "bench":
                guard let s = value.scalar?.string, Self.benches.contains(s) else {
                    throw fail("bench", "must be one of \(Self.benches.joined(separator: ", "))")
                }
                spec.bench = s
            case "only": spec.only = try scalars(key, value).joined(separator: ",")
            case "agents": spec.agents = try scalars(key, value)
            case "envs":
                let items = value.sequence ?? [value]
                spec.environments = try items.map { item in
                    if let id = item.scalar?.string { return EnvironmentReference(id) }
                    guard let m = item.mapping, let id = m["id"]?.scalar?.string else {
                        throw fail("envs", "must list ids or {id: ID, options: {name: value}}")
                    }
                    var options: [String: String] = [:]
                    for (k, v) in m["options"]?.mapping ?? [:] {
                        guard let k = k.scalar?.string, let v = v.scalar?.string else { throw fail("envs", "options must be name: value") }
                        options[k] = v
                    }
                    return EnvironmentReference(id, options: options)
                }
            case "seeds":
                if value.sequence != nil {
                    spec.seeds = try scalars(key, value).map { s in
                        guard let seed = UInt64(s) else { throw fail("seeds", "must list whole numbers ≥ 0") }
                        return seed
                    }
                } else {
                    spec.seeds = (0..<UInt64(try count(key, value, 1...10_000))).map { $0 }
                }
            case "preset":
                guard let s = value.scalar?.string, ["default", "zoo"].contains(s) else { throw fail("preset", "must be default or zoo") }
                spec.preset = s
            case "steps": spec.steps = try count(key, value, 1...Limits.steps)
            case "set":
                guard let m = value.mapping else { throw fail("set", "must map setting names to a value or a list of values") }
                spec.grid = try m.map { k, v in
                    guard let k = k.scalar?.string, !k.isEmpty else { throw fail("set", "has a setting without a name") }
                    return (k, try scalars("set." + k, v))
                }
            case "evaluations": spec.evaluations = try count(key, value, 1...1000)
            case "eval_episodes": spec.episodesPerEvaluation = try count(key, value, 1...10_000)
            case "final_episodes": spec.finalEpisodes = try count(key, value, 1...10_000)
            case "checkpoint_every": spec.checkpointEvery = try count(key, value, 1...Limits.steps)
            default:
                throw fail("'\(key)'", "is not a sweep setting (name, bench, only, agents, envs, seeds, preset, steps, set, evaluations, eval_episodes, final_episodes, checkpoint_every)")
            }
        }
        guard let name else { throw SweepError("\(path): the spec needs a name") }
        spec.name = name
        if spec.bench != nil {
            guard spec.agents.isEmpty, spec.environments.isEmpty else { throw SweepError("\(path): give either bench (and only) or agents and envs, not both") }
            spec.preset = "zoo"
        } else {
            guard !spec.agents.isEmpty, !spec.environments.isEmpty else { throw SweepError("\(path): the spec needs agents and envs (or a bench)") }
            guard spec.only == nil else { throw SweepError("\(path): only selects a bench's entries; it needs bench") }
            for agent in spec.agents where !DeepAgents.ids.contains(agent) {
                throw SweepError("\(path): unknown agent '\(agent)'; deep agents: \(DeepAgents.ids.joined(separator: ", "))")
            }
        }
        guard Set(spec.seeds).count == spec.seeds.count else { throw SweepError("\(path): seeds repeat") }
        guard Set(spec.grid.map(\.name)).count == spec.grid.count else { throw SweepError("\(path): a setting appears twice under set") }
        self = spec
    }

    /// The runs, in a fixed order (entry, then settings, then seed): a task's number is its place here.
    public func tasks() throws -> [SweepTask] {
        let pairs: [(agent: String, environment: EnvironmentReference)]
        if bench != nil {
            pairs = try ClassicBenchmark.entries(only: only, quick: false).map { ($0.agent, EnvironmentReference($0.env)) }
        } else {
            pairs = environments.flatMap { environment in agents.map { ($0, environment) } }
        }
        // The cartesian product of the settings, the first named varying slowest.
        var variants: [[String]] = [[]]
        for (name, values) in grid { variants = variants.flatMap { prefix in values.map { prefix + ["\(name)=\($0)"] } } }
        var tasks: [SweepTask] = []
        for pair in pairs {
            for settings in variants {
                // Each combination is checked once, so a bad value fails the plan, not task 37 on a cluster.
                _ = try DeepAgents.configuration(agent: pair.agent, environmentID: pair.environment.id,
                                                 recipe: .init(preset: preset, settings: settings))
                for seed in seeds {
                    tasks.append(SweepTask(index: tasks.count, agent: pair.agent, environment: pair.environment, seed: seed,
                                           settings: settings, variedSettings: settings.enumerated()
                                               .filter { grid[$0.offset].values.count > 1 }.map(\.element)))
                }
            }
        }
        return tasks
    }

    static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 100 && !s.hasPrefix(".") && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    static func hasComplexKey(_ node: Node) -> Bool {
        switch node {
        case .scalar, .alias: false
        case .sequence(let items): items.contains(where: hasComplexKey)
        case .mapping(let pairs): pairs.contains { $0.key.scalar == nil || hasComplexKey($0.value) }
        }
    }
}

/// One run of a sweep: an agent, an environment, a seed and its settings.
public struct SweepTask: Codable, Equatable, Sendable {
    public var index: Int
    public var agent: String
    public var environment: EnvironmentReference
    public var seed: UInt64
    /// Every `--set` value of the run (fixed and swept).
    public var settings: [String]
    /// The swept ones: what tells this run's row from its neighbours'.
    public var variedSettings: [String]

    /// The row a run belongs to in the merged table (seeds pooled).
    public var row: String {
        ([agent, environment.label] + variedSettings).joined(separator: " ")
    }

    public var key: String { row + " seed=\(seed)" }
}
