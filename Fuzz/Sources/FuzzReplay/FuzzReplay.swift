// `athanor env replay`'s input: the first line is the start state (`x,ẋ,θ,θ̇`; absent when
// empty or when there is no newline), the rest the actions (`1,0,1`, `0.5;-1`). A script that
// parses is run (its first 200 actions) on each classic-control environment and FrozenLake.
// Errors (a refused action, a state out of range) are fine; traps are not.
import Environments
import Foundation
import RL

let environmentIDs = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1", "FrozenLake-v1"]
let maxActions = 200

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = data.map { String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self) } ?? ""
    let verbose = getenv("ATHANOR_FUZZ_VERBOSE") != nil
    let start: String?, actions: String
    if let newline = text.firstIndex(of: "\n") {
        let first = String(text[..<newline])
        (start, actions) = (first.isEmpty ? nil : first, String(text[text.index(after: newline)...]))
    } else {
        (start, actions) = (nil, text)
    }
    let parsed: ReplayScript
    do { parsed = try ReplayScript(start: start, actions: actions) } catch {
        if verbose { print("parse: \(error)") }
        return 0
    }
    let script = ReplayScript(start: parsed.start, actions: Array(parsed.actions.prefix(maxActions)))
    for id in environmentIDs {
        do {
            var environment = try environments.make(id, options: [:])
            let transitions = try script.run(on: &environment, seed: 0)
            precondition(transitions.count == script.actions.count, "\(id): \(transitions.count) transitions for \(script.actions.count) actions")
            if verbose { print("\(id): ok, \(transitions.count) steps") }
        } catch {
            if verbose { print("\(id): \(error)") }
        }
    }
    return 0
}
