import Drawing
import Foundation

/// A language model's completions as `watch` draws them: one row per prompt, the prompt in grey, each
/// generated token in a box whose green grows with the model's probability of it (its probability
/// printed under it), and the reward at the end of a finished row.
public struct CompletionScene: Scene, Sendable {
    public struct Row: Sendable, Equatable {
        public var prompt: String
        /// Each token as text (`\n` shown as ⏎) and the probability the model gave it.
        public var tokens: [(text: String, probability: Float)]
        /// Nil while the completion is still being written.
        public var reward: Double?

        public init(prompt: String, tokens: [(text: String, probability: Float)], reward: Double?) {
            (self.prompt, self.tokens, self.reward) = (prompt, tokens, reward)
        }

        public static func == (a: Row, b: Row) -> Bool {
            a.prompt == b.prompt && a.reward == b.reward && a.tokens.map(\.text) == b.tokens.map(\.text)
                && a.tokens.map(\.probability) == b.tokens.map(\.probability)
        }
    }

    public var rows: [Row]
    public static let visibleRows = 8

    public init(rows: [Row]) { self.rows = Array(rows.suffix(Self.visibleRows)) }

    public var size: (width: Int, height: Int) { (640, 60 + Self.visibleRows * 52) }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        for (index, row) in rows.enumerated() {
            let y = 48 + index * 52
            c.write(row.prompt, x: 16, y: Double(y + 3), size: 18, Color(110, 110, 110))
            var x = 16 + Swift.max(c.textWidth(row.prompt, size: 18), 110) + 12
            for token in row.tokens {
                let p = Double(Swift.min(Swift.max(token.probability, 0), 1))
                c.fill(x: x, y: y, width: 34, height: 26, Color(UInt8(235 - 175 * p), UInt8(235 - 55 * p), UInt8(235 - 175 * p)))
                c.write(token.text, x: Double(x + 17), y: Double(y + 4), size: 17, .black, anchor: .middle)
                c.write(String(format: "%.2f", p), x: Double(x + 17), y: Double(y + 29), size: 11, Color(90, 90, 90), anchor: .middle)
                x += 38
            }
            if let reward = row.reward {
                c.write("reward \(formatReward(reward))", x: Double(x + 10), y: Double(y + 4), size: 16, reward > 0 ? Color.goal : Color.agent)
            }
        }
    }

    private func formatReward(_ r: Double) -> String { r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r) }
}
