/// Text ↔ token ids. A tokenizer names its end-of-text token (generation stops there) and its
/// padding token (never a target).
public protocol Tokenizer: Sendable {
    var vocabularySize: Int { get }
    var endOfText: Int { get }
    var padding: Int { get }
    /// Throws `TinyLMError.unknownSymbol` for text outside the vocabulary.
    func encode(_ text: String) throws -> [Int]
    /// Padding is dropped; ids outside the vocabulary become U+FFFD.
    func decode(_ tokens: [Int]) -> String
}

/// One token per character of a fixed symbol list, as the addition task's 14-symbol tokenizer:
/// `<pad>`=0, `0`–`9`=1–10, `+`=11, `=`=12, `\n`=13 (end of text; no beginning-of-text token).
public struct CharacterTokenizer: Tokenizer {
    /// Id → symbol; the padding symbol is never produced by `encode`.
    public let symbols: [String]
    public let padding: Int
    public let endOfText: Int
    private let ids: [Character: Int]

    public init(symbols: [String], padding: Int, endOfText: Int) {
        self.symbols = symbols
        self.padding = padding
        self.endOfText = endOfText
        var ids: [Character: Int] = [:]
        for (id, symbol) in symbols.enumerated() where id != padding && symbol.count == 1 { ids[symbol.first!] = id }
        self.ids = ids
    }

    /// The addition task's vocabulary.
    public static let addition = CharacterTokenizer(
        symbols: ["<pad>"] + (0...9).map(String.init) + ["+", "=", "\n"], padding: 0, endOfText: 13)

    public var vocabularySize: Int { symbols.count }

    public func encode(_ text: String) throws -> [Int] {
        try text.map { character in
            guard let id = ids[character] else { throw TinyLMError.unknownSymbol(String(character)) }
            return id
        }
    }

    public func decode(_ tokens: [Int]) -> String {
        tokens.filter { $0 != padding }.map { symbols.indices.contains($0) ? symbols[$0] : "\u{FFFD}" }.joined()
    }
}

/// Any text as its UTF-8 bytes (ids 0–255), with 256 as end of text and 257 as padding: the
/// tokenizer for `--corpus FILE.txt`.
public struct ByteTokenizer: Tokenizer {
    public init() {}
    public var vocabularySize: Int { 258 }
    public var endOfText: Int { 256 }
    public var padding: Int { 257 }
    public func encode(_ text: String) throws -> [Int] { text.utf8.map(Int.init) }
    public func decode(_ tokens: [Int]) -> String {
        String(decoding: tokens.filter { (0..<256).contains($0) }.map(UInt8.init), as: UTF8.self)
    }
}

public enum TinyLMError: Error, CustomStringConvertible, Equatable {
    case unknownSymbol(String)
    case invalidConfiguration(String)
    case invalidInput(String)
    case checkpoint(String)

    public var description: String {
        switch self {
        case .unknownSymbol(let symbol): "the text contains \(symbol.debugDescription), which is not in the tokenizer's vocabulary"
        case .invalidConfiguration(let detail), .invalidInput(let detail): detail
        case .checkpoint(let detail): "language-model checkpoint: \(detail)"
        }
    }
}
