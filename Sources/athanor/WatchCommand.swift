import Agents
import ArgumentParser
import Environments
import Foundation
import Training
import NN
import RL
import Tensor
import Visualizer

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play episodes live in a window (SDL build), or write a screenshot or GIF without a display.",
        discussion: """
            Agents: random; --run DIR (a deep agent trained with `train --out`, with its action probabilities and \
            value estimate drawn); q-learning or value-iteration on tabular environments (trained first, then \
            played greedily over its value heatmap and policy arrows); epsilon-greedy, ucb or thompson-sampling on \
            bandits (learning live; estimates, confidence bounds and pull counts drawn). --run DIR of a language model \
            (athanor lm pretrain or lm rl): test prompts completed at T = 1 token by token, each token's probability and \
            each completion's reward drawn (an episode is a prompt).
            Keys: space pause, → single step, r reset, +/− speed, q or Esc quit.
            Without the SDL build the episodes play as text in the terminal.
            """
    )
    @Option(help: "Environment id (not needed with --run).") var env = ""
    @OptionGroup var environmentOptions: EnvironmentOptionFlags
    @Option(name: .customLong("run"), help: "Run directory of a trained deep agent.") var runDirectory: String?
    @Flag(help: "With --run: play the best model of the run's periodic evaluations (best.safetensors).") var best = false
    @Option(help: "random, q-learning, value-iteration, epsilon-greedy, ucb or thompson-sampling.") var agent = "random"
    @Option(help: "Episodes to play.") var episodes = 3
    @Option(help: "Frames per second.") var fps = 30.0
    @Option(help: "Seed of the first episode.") var seed: UInt64 = 0
    @Option(help: "Tabular agents: training episodes before watching.") var trainEpisodes = 20_000
    @Option(help: "Write a PNG of the frame after this many steps (no window).") var screenshot: String?
    @Option(help: "Steps before the screenshot.") var after = 0
    @Option(help: "Record the episodes as an animated GIF (no window).") var record: String?
    @Option(help: "Stop each episode after this many steps (long episodes make large GIFs).") var maxSteps = 10_000

    static let agents = ["random", "q-learning", "value-iteration", "epsilon-greedy", "ucb", "thompson-sampling"]

    func validate() throws {
        guard runDirectory != nil || !env.isEmpty else { throw ValidationError("--env is required (or --run DIR)") }
        guard Self.agents.contains(agent) else { throw ValidationError("unknown agent '\(agent)' for watch; agents: \(Self.agents.joined(separator: ", ")) or --run DIR") }
        guard (1...1_000_000).contains(episodes) else { throw ValidationError("--episodes must be in 1…1000000") }
        guard fps.isFinite, fps > 0, fps <= 1000 else { throw ValidationError("--fps must be a number in (0, 1000]") }
        guard (0...1_000_000_000).contains(after) else { throw ValidationError("--after must be in 0…1000000000") }
        guard (1...10_000_000).contains(maxSteps) else { throw ValidationError("--max-steps must be in 1…10000000") }
        guard (1...TabularAgents.maxEpisodes).contains(trainEpisodes) else { throw ValidationError("--train-episodes must be in 1…\(TabularAgents.maxEpisodes)") }
        guard !best || runDirectory != nil else { throw ValidationError("--best needs --run DIR") }
    }

    func run() throws {
        for path in [screenshot, record].compactMap({ $0 }) { try checkWritable(URL(fileURLWithPath: path)) }
        installTrueTypeFont()  // DejaVu Sans where SDL2_ttf and the font are there; the bitmap font otherwise
        if let runDirectory, Self.isLanguageModelRun(runDirectory) { return try watchLanguageModel(runDirectory) }
        var (environment, id, player) = try makePlayer()
        let headless = screenshot != nil || record != nil
        let screenshotURL = screenshot.map(URL.init(fileURLWithPath:)), recordURL = record.map(URL.init(fileURLWithPath:))
        let recorder = try recordURL.map { try GIFRecorder(url: $0, framesPerSecond: fps) }
        if screenshotURL != nil, !visualizerHasSDL { throw VisualizerError.needsSDL("--screenshot") }
        var window: Window? = nil
        if !headless {
            if visualizerHasSDL {
                window = try Window(title: "athanor watch \(id)", width: 600, height: 400)
            } else {
                log("athanor watch: no window in this build (text instead); build with `swift build --traits SDL` for one")
            }
        }
        var delay = 1 / fps, paused = false, totalSteps = 0, tookScreenshot = false
        episodeLoop: for episode in 1...episodes {
            var observation = environment.resetFlat(seed: episode == 1 ? seed : nil).observation
            player.startEpisode()
            var total = 0.0, step = 0, lastAction = "-"
            while true {
                let overlay = player.overlay(observation)
                let hud = "episode \(episode)  step \(step)  return \(String(format: "%.1f", total))  action \(lastAction)"
                let frame = SceneRenderer.render(environment.scene, overlay: overlay, hud: hud)
                recorder?.append(frame)
                if let screenshotURL, !tookScreenshot, totalSteps >= after {
                    try frame.writePNG(to: screenshotURL)
                    tookScreenshot = true
                    if recorder == nil { break episodeLoop }
                }
                if let window {
                    window.show(frame)
                    repeat {
                        var stepOnce = false
                        for command in window.commands() {
                            switch command {
                            case .quit: break episodeLoop
                            case .togglePause: paused.toggle()
                            case .singleStep: stepOnce = true
                            case .reset: continue episodeLoop
                            case .faster: delay /= 2
                            case .slower: delay *= 2
                            }
                        }
                        if stepOnce { break }
                        window.wait(milliseconds: paused ? 15 : Int(delay * 1000))
                    } while paused
                } else if !headless {
                    print("\u{1B}[2J\u{1B}[H" + hud + "\n" + environment.renderText())
                    Thread.sleep(forTimeInterval: delay)
                }
                if step >= maxSteps { break }
                let action = player.act(observation)
                let t = try environment.stepFlat(action)
                player.learn(action: action, reward: t.reward)
                lastAction = action.map { $0 == $0.rounded() && Swift.abs($0) < 1e6 ? String(Int($0)) : String(format: "%.2f", $0) }.joined(separator: ",")
                total += t.reward
                step += 1
                totalSteps += 1
                observation = t.observation
                if t.isLast {
                    if let recorder {  // hold the final frame a little
                        let last = SceneRenderer.render(environment.scene, overlay: player.overlay(observation),
                                                        hud: "episode \(episode)  step \(step)  return \(String(format: "%.1f", total))  done")
                        recorder.append(last)
                    }
                    log("athanor watch: episode \(episode): return \(String(format: "%.2f", total)) in \(step) steps")
                    break
                }
            }
        }
        if let screenshotURL, !tookScreenshot { throw UserError("the episodes ended before step \(after); no screenshot written to \(screenshotURL.path)") }
        if let recorder, let recordURL {
            try recorder.finish()
            log("athanor watch: wrote \(recorder.frameCount) frames to \(recordURL.path)")
        }
    }

    func makePlayer() throws -> (any DynamicEnvironment, String, any Player) {
        if let run = runDirectory {
            let directory = RunDirectory(run)
            let configuration = try directory.configuration()
            let agent = try DeepAgents.load(from: directory, best: best)
            let player: any Player = (agent as? PETS).map(PlanningPlayer.init) ?? DeepPlayer(agent: agent)
            return (try configuration.environment.make(), configuration.environment.id, player)
        }
        let environment = try environmentOptions.make(env)
        switch agent {
        case "random": return (environment, env, RandomPlayer(space: environment.actionSpace, seed: seed))
        case "q-learning", "value-iteration":
            return (environment, env, try TabularPlayer(environment: environment, id: env, agent: agent, episodes: trainEpisodes, seed: seed))
        default:
            guard case .discrete(let arms) = environment.actionSpace, environment.scene is BanditScene else {
                throw UserError("\(agent) is a bandit agent; use it on KArmedBandit-v0 or BernoulliBandit-v0 (got \(env))")
            }
            return (environment, env, BanditPlayer(agent: agent, arms: arms, seed: seed))
        }
    }
}
