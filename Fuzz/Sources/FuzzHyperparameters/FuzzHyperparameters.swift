// The input as UTF-8 text, one `name=value` per line, applied with `setting(_:)` to every
// hyper-parameter type (as `--set` does), and the same text read as a JSON object
// (`decode(json:)`, then `validate()`, as a file or checkpoint is). Errors are fine, traps are not;
// a configuration that is accepted must read back unchanged from its own JSON.
import Agents
import Foundation

func exercise<Settings: ParameterSet>(_ type: Settings.Type, _ base: Settings, lines: [String], text: String, verbose: Bool) {
    do {
        let config = try base.setting(lines)
        precondition((try? Settings.decode(json: config.json)) == config, "\(Settings.self): \(config.json) does not read back")
        if verbose { print("\(Settings.self).setting: ok \(config.json)") }
    } catch {
        if verbose { print("\(Settings.self).setting: \(error)") }
    }
    do {
        let config = try Settings.decode(json: text)
        try config.validate()
        precondition((try? Settings.decode(json: config.json)) == config, "\(Settings.self): \(config.json) does not read back")
        if verbose { print("\(Settings.self).decode: ok \(config.json)") }
    } catch {
        if verbose { print("\(Settings.self).decode: \(error)") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = data.map { String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self) } ?? ""
    let lines = text.split(separator: "\n").prefix(64).map(String.init)
    let verbose = getenv("ATHANOR_FUZZ_VERBOSE") != nil
    exercise(PPOHyperparameters.self, PPOHyperparameters(), lines: lines, text: text, verbose: verbose)
    exercise(A2CHyperparameters.self, A2CHyperparameters(), lines: lines, text: text, verbose: verbose)
    exercise(REINFORCEHyperparameters.self, REINFORCEHyperparameters(), lines: lines, text: text, verbose: verbose)
    exercise(DQNHyperparameters.self, DQNHyperparameters(), lines: lines, text: text, verbose: verbose)
    exercise(SACHyperparameters.self, SACHyperparameters(), lines: lines, text: text, verbose: verbose)
    exercise(TD3Hyperparameters.self, TD3Hyperparameters(), lines: lines, text: text, verbose: verbose)
    exercise(TabularHyperparameters.self, TabularHyperparameters(), lines: lines, text: text, verbose: verbose)
    exercise(BanditHyperparameters.self, BanditHyperparameters(), lines: lines, text: text, verbose: verbose)
    return 0
}
