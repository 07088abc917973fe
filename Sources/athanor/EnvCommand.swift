import ArgumentParser
import Environments
import Foundation
import RL

struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "List, check and replay environments.",
        subcommands: [List.self, Check.self, Replay.self, MDP.self]
    )
}

/// `--env-opt name=value`, repeatable, with Gymnasium's keyword names.
struct EnvironmentOptionFlags: ParsableArguments {
    @Option(name: .customLong("env-opt"), help: "Environment option name=value (repeatable), e.g. map_name=8x8.")
    var pairs: [String] = []

    func make(_ id: String) throws -> any DynamicEnvironment {
        try environments.make(id, options: EnvironmentRegistry.parseOptions(pairs))
    }
}

extension EnvCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registered ids with their spaces and a one-line description.")
        @Flag(help: "Print one JSON document.") var json = false

        func run() throws {
            var rows: [[String: Any]] = []
            for spec in environments.specs {
                let environment = try spec.make(EnvironmentOptions(id: spec.id, values: [:]))
                rows.append(["id": spec.id, "observation_space": environment.observationSpace.description,
                             "action_space": environment.actionSpace.description, "summary": spec.summary,
                             "max_episode_steps": spec.maxEpisodeSteps as Any? ?? NSNull(),
                             "options": spec.options.map { ["name": $0.name, "default": $0.defaultValue, "help": $0.help] }])
            }
            if json {
                try printJSON(["environments": rows])
                return
            }
            for row in rows {
                print("\(row["id"]!)".padding(toLength: 18, withPad: " ", startingAt: 0)
                      + " obs \(row["observation_space"]!)  action \(row["action_space"]!)")
                print("    \(row["summary"]!)")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the environment checker on one id or on all.")
        @Argument(help: "Environment id.") var id: String?
        @Flag(help: "Check every registered id.") var all = false
        @OptionGroup var options: EnvironmentOptionFlags
        @Flag(help: "Print one JSON document.") var json = false

        func validate() throws {
            guard (id == nil) != !all else { throw ValidationError("give one environment id or --all") }
        }

        func run() throws {
            let ids = all ? environments.ids : [id!]
            var results: [[String: Any]] = []
            for id in ids {
                let problems = try checkEnvironment { try options.make(id) }
                results.append(["id": id, "ok": problems.isEmpty, "problems": problems])
                if !json { print("\(problems.isEmpty ? "ok  " : "FAIL") \(id)" + problems.map { "\n     \($0)" }.joined()) }
            }
            if json { try printJSON(["results": results]) }
            if results.contains(where: { !($0["ok"] as! Bool) }) { throw ExitCode.failure }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Step an environment through given actions, one JSON line per step.",
            discussion: """
                --start sets the internal state exactly as Gymnasium stores it in env.unwrapped.state
                (CartPole x,ẋ,θ,θ̇; MountainCar and MountainCarContinuous position,velocity; Acrobot θ1,θ2,θ̇1,θ̇2; Pendulum θ,θ̇).
                Actions are separated by commas; the components of one continuous action by ';'.
                """
        )
        @Argument(help: "Environment id.") var id: String
        @OptionGroup var options: EnvironmentOptionFlags
        @Option(help: "Seed for reset.") var seed: UInt64 = 0
        @Option(help: "Start state, comma-separated.") var start: String?
        @Option(help: "Actions, comma-separated (';' between components of one action).") var actions: String

        func run() throws {
            let script = try ReplayScript(start: start, actions: actions)
            var environment = try options.make(id)
            let discrete = environment.observationSpace.discreteCount != nil
            for t in try script.run(on: &environment, seed: seed) {
                let observation = discrete ? t.observation.map { String(Int($0)) } : t.observation.map { "\($0)" }
                let info = try JSONSerialization.data(withJSONObject: jsonSafe(t.info.mapValues(\.jsonObject)), options: [.sortedKeys])
                print("{\"obs\": [\(observation.joined(separator: ", "))], \"reward\": \(t.reward), "
                      + "\"terminated\": \(t.terminated), \"truncated\": \(t.truncated), \"info\": \(String(decoding: info, as: UTF8.self))}")
            }
        }
    }

    struct MDP: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The transition table of a tabular environment, as Gymnasium's env.P.")
        @Argument(help: "Environment id.") var id: String
        @OptionGroup var options: EnvironmentOptionFlags
        @Flag(help: "Print one JSON document: {\"P\": {\"s\": {\"a\": [[prob, next, reward, terminal], …]}}}.") var json = false

        func run() throws {
            let environment = try options.make(id)
            guard let model = environment.tabularModel else {
                throw UserError("\(id) is not a tabular environment (it has no transition table)")
            }
            if json {
                print(model.transitionTableJSON())
                return
            }
            for s in 0..<model.stateCount {
                for a in 0..<model.actionCount {
                    let entries = model.outcomes(state: s, action: a).map { "p=\($0.probability) → \($0.nextState) r=\($0.reward)\($0.terminal ? " terminal" : "")" }
                    print("s=\(s) a=\(a): " + entries.joined(separator: "; "))
                }
            }
        }
    }
}

/// Prints `object` as one JSON line; a number that is not finite (JSON has none) prints as null.
func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: jsonSafe(object), options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

/// `object` with every NaN or infinity replaced by null.
func jsonSafe(_ object: Any) -> Any {
    switch object {
    case let value as Double: value.isFinite ? value : NSNull()
    case let value as Float: value.isFinite ? value : NSNull()
    case let values as [Double]: values.map { $0.isFinite ? $0 as Any : NSNull() }
    case let values as [Any]: values.map(jsonSafe)
    case let dictionary as [String: Any]: dictionary.mapValues(jsonSafe)
    default: object
    }
}

/// Prints an encodable value as one JSON line (snake-case keys, sorted).
func printJSONEncodable<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
