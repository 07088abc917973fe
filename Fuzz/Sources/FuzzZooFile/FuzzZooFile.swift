// The input as an rl-baselines3-zoo file (`--config hyperparams/ppo.yml`): YAML read by Yams,
// each entry turned into settings (Python literals in `policy_kwargs` and `normalize` parsed)
// and applied to every deep agent's hyper-parameters. Errors are fine, traps are not; an
// accepted configuration must read back unchanged from its own JSON.
import Agents
import Foundation

func apply<Settings: Hyperparameters>(_ type: Settings.Type, _ file: ZooFile, verbose: Bool) {
    for id in file.environmentIDs.prefix(8) {
        do {
            let config = try Settings().setting(zooFile: file, environmentID: id)
            precondition((try? Settings.decode(json: config.json)) == config, "\(Settings.self): \(config.json) does not read back")
            if verbose { print("\(Settings.self) \(id): ok \(config.json)") }
        } catch {
            if verbose { print("\(Settings.self) \(id): \(error)") }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = data.map { String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self) } ?? ""
    let verbose = getenv("ATHANOR_FUZZ_VERBOSE") != nil
    guard let file = try? ZooFile(yaml: text, path: "fuzz.yml") else { return 0 }
    apply(PPOHyperparameters.self, file, verbose: verbose)
    apply(A2CHyperparameters.self, file, verbose: verbose)
    apply(DQNHyperparameters.self, file, verbose: verbose)
    apply(SACHyperparameters.self, file, verbose: verbose)
    apply(TD3Hyperparameters.self, file, verbose: verbose)
    return 0
}
