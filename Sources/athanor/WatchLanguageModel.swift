import Agents
import Drawing
import Foundation
import Random
import TinyLM
import Training
import Visualizer

extension Watch {
    /// Whether `--run` names a language-model run folder (pretraining or RL) rather than a deep agent's.
    static func isLanguageModelRun(_ path: String) -> Bool {
        (try? LanguageModels.configuration(of: RunDirectory(path))) != nil
    }

    /// `watch --run` on a language-model run: an episode is a test problem; each frame adds one sampled token
    /// (T = 1) with its probability, and a finished completion shows its exact-match reward. The rows stay
    /// on screen, the newest at the bottom.
    func watchLanguageModel(_ path: String) throws {
        let model = try LanguageModels.loadModel(path)
        guard model.configuration.vocabularySize == CharacterTokenizer.addition.vocabularySize else {
            throw UserError("\(path) holds a byte-level model; watch shows addition-task models (use athanor lm sample for others)")
        }
        let tokenizer = CharacterTokenizer.addition
        let test = AdditionSplits().test
        let settings = SamplingSettings(temperature: 1, maximumNewTokens: 6, stopToken: tokenizer.endOfText)
        var generator = RandomGenerator(seed: seed)
        let headless = screenshot != nil || record != nil
        let recorder = try record.map { try GIFRecorder(url: URL(fileURLWithPath: $0), framesPerSecond: fps) }
        var window: Window? = nil
        if !headless {
            if visualizerHasSDL { window = try Window(title: "athanor watch \(path)", width: 640, height: 476) } else {
                log("athanor watch: no window in this build (text instead); build with `swift build --traits SDL` for one")
            }
        }
        var rows: [CompletionScene.Row] = [], frames = 0, correct = 0, watched = 0, tookScreenshot = false
        let delay = 1 / fps
        episodes: for episode in 1...episodes {
            let problem = test[(Int(seed % 1000) + episode - 1) % test.count]
            let completion = try model.generate([try tokenizer.encode(problem.prompt)], settings: settings, using: &generator)[0]
            let text = tokenizer.decode(completion.tokens)
            let reward = GRPO.reward(text, for: problem)
            let shown = completion.tokens.map { $0 == tokenizer.endOfText ? "⏎" : tokenizer.decode([$0]) }
            for written in 0...completion.tokens.count {
                let row = CompletionScene.Row(prompt: problem.prompt, tokens: Array(zip(shown, completion.probabilities).prefix(written)),
                                              reward: written == completion.tokens.count ? reward : nil)
                let finished = written == completion.tokens.count
                let hud = "prompt \(episode)  token \(written)  correct \(correct + (finished && reward > 0 ? 1 : 0))/\(episode - (finished ? 0 : 1))"
                let frame = SceneRenderer.render(CompletionScene(rows: rows + [row]), hud: hud)
                recorder?.append(frame)
                if let screenshot, !tookScreenshot, frames >= after {
                    try frame.writePNG(to: URL(fileURLWithPath: screenshot))
                    tookScreenshot = true
                    if recorder == nil { break episodes }
                }
                frames += 1
                if let window {
                    window.show(frame)
                    if window.commands().contains(where: { if case .quit = $0 { true } else { false } }) { break episodes }
                    window.wait(milliseconds: Int(delay * 1000))
                } else if !headless && written == completion.tokens.count {
                    let pieces = zip(shown, completion.probabilities).map { "\($0)(\(String(format: "%.2f", $1)))" }
                    print("\(problem.prompt) → \(pieces.joined(separator: " "))  reward \(Int(reward))")
                    Thread.sleep(forTimeInterval: delay)
                }
            }
            correct += reward > 0 ? 1 : 0
            watched += 1
            rows.append(CompletionScene.Row(prompt: problem.prompt, tokens: Array(zip(shown, completion.probabilities)), reward: reward))
        }
        if let screenshot, !tookScreenshot { throw UserError("the completions ended before frame \(after); no screenshot written to \(screenshot)") }
        if let recorder, let record {
            try recorder.finish()
            log("athanor watch: wrote \(recorder.frameCount) frames to \(record)")
        }
        log("athanor watch: \(correct) of \(watched) sampled completions correct")
    }
}
