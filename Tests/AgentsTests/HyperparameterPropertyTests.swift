import Agents
import Foundation
import PropertyBased
import Testing

// Properties of `--set name=value` (issue 13: no input crashes the tool): for every
// hyper-parameter type and every field it declares a range for, any value text gives either a
// configuration that validates or a `HyperparameterError` on one line that names the field.

/// What `X().setting(["name=value"])` did.
private enum Outcome {
    case accepted(validation: (any Error)?)
    case refused(HyperparameterError)
    case otherError(any Error)
}

private func outcome<Settings: ParameterSet>(_ defaults: Settings, _ pair: String) -> Outcome {
    do {
        let config = try defaults.setting([pair])
        do { try config.validate() } catch { return .accepted(validation: error) }
        return .accepted(validation: nil)
    } catch let error as HyperparameterError {
        return .refused(error)
    } catch {
        return .otherError(error)
    }
}

/// One field of one hyper-parameter type, and `setting` applied to its defaults.
struct HyperparameterField: Sendable, CustomTestStringConvertible {
    let type: String
    let name: String
    fileprivate let set: @Sendable (String) -> Outcome
    var testDescription: String { "\(type).\(name)" }

    static func all<Settings: ParameterSet>(_ defaults: Settings) -> [Self] {
        Settings.ranges.map { range in
            Self(type: "\(Settings.self)", name: range.name, set: { outcome(defaults, $0) })
        }
    }

    static let every: [Self] = all(PPOHyperparameters()) + all(A2CHyperparameters()) + all(REINFORCEHyperparameters())
        + all(DQNHyperparameters()) + all(SACHyperparameters()) + all(TD3Hyperparameters())
        + all(TabularHyperparameters()) + all(BanditHyperparameters())
}

/// A hyper-parameter type's declared ranges beside the fields it writes to JSON.
struct HyperparameterType: Sendable, CustomTestStringConvertible {
    let type: String
    let rangeNames: [String]
    let fieldNames: @Sendable () throws -> Set<String>
    var testDescription: String { type }

    init<Settings: ParameterSet>(_ defaults: Settings) {
        type = "\(Settings.self)"
        rangeNames = Settings.ranges.map(\.name)
        fieldNames = { Set(try defaults.jsonObject().keys).union(Settings.optionalNames) }
    }

    static let every = [
        Self(PPOHyperparameters()), Self(A2CHyperparameters()), Self(REINFORCEHyperparameters()),
        Self(DQNHyperparameters()), Self(SACHyperparameters()), Self(TD3Hyperparameters()),
        Self(TabularHyperparameters()), Self(BanditHyperparameters()),
    ]
}

/// Value text of every kind a user (or a script) may type after `name=`.
enum ValueText {
    /// Every double by bit pattern: all magnitudes and signs, subnormals and NaNs (±0 and ±inf,
    /// too rare this way, are among `special`); written as Swift prints it, with `%g`, or `%.17g`.
    static let anyDouble = zip(Gen.uint64(), Gen.int(in: 0...2)).map { bits, style -> String in
        let x = Double(bitPattern: bits)
        switch style {
        case 0: return "\(x)"
        case 1: return String(format: "%g", x)
        default: return String(format: "%.17g", x)
        }
    }

    /// Numbers near the ends of the usual ranges ([0, 1], (0, 100], …).
    static let smallDouble = zip(Gen.double(in: -2...2), Gen.int(in: -3...12)).map { x, exponent in
        "\(x * pow(10, Double(exponent)))"
    }

    /// Edge cases written out: limits of Double and Int, non-finite spellings, schedules, `none`.
    static let special = Gen<String?>.element(of: [
        "nan", "-nan", "NaN", "nan(0x1)", "snan", "inf", "-inf", "+inf", "infinity", "-Infinity",
        "0", "-0", "-0.0", "+0", "0.0", "1", "-1", "2", "0.5", "1e-10", "00", "1.", ".5", "1e", "e1",
        "5e-324", "-5e-324", "4.9406564584124654e-324", "2.2250738585072014e-308", "2.225073858507201e-308",
        "1.7976931348623157e308", "-1.7976931348623157e308", "1e308", "1e309", "-1e309", "1e-400", "1e400",
        "0x1p-1074", "0x1.fffffffffffffp+1023", "0x10", "0b1", "1_000", "1,000", "1 000", " 1", "1 ", "\u{00A0}1",
        "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "1e19", "1e30", "-1e30", "65536", "65537", "16777217",
        "1099511627777", "4097", "1000001",
        "lin_0", "lin_1", "lin_-1", "lin_1e-3", "lin_nan", "lin_inf", "lin_-inf", "lin_", "lin_lin_1", "LIN_1", "lin_0x1p-3",
        "none", "None", "null", "nil", "true", "false", "TRUE", "False", "yes", "no", "1.0", "0.0",
        "", " ", "=", "==", "a=b", "[", "]", "[]", "[,]", ",", ",,", "64,", ",64", "[64, 64]", "64 ,64", "64;64",
        "٣", "१", "一", "½", "Ⅻ", "😀", "é", "\u{0301}", "\u{200B}1", "1\u{200B}",
    ]).map { $0! }

    /// Integers of every size, and longer runs of digits than any integer type holds.
    static let integer = Gen<String>.frequency(
        (2, Gen.int().map { "\($0)" }),
        (2, Gen.int(in: -100...100).map { "\($0)" }),
        (1, zip(Gen.bool, Gen.number.string(of: 1...60)).map { negative, digits in (negative ? "-" : "") + digits }),
    )

    /// Comma lists (layer sizes): any length, sizes in and out of range, brackets and spaces.
    static let list = zip(Gen.int(in: -3...70_000).array(of: 0...20), Gen.int(in: 0...3)).map { sizes, style -> String in
        let items = sizes.map(String.init)
        switch style {
        case 0: return items.joined(separator: ",")
        case 1: return "[" + items.joined(separator: ", ") + "]"
        case 2: return items.joined(separator: ",") + ","
        default: return items.joined(separator: ",") + ",1e3,nan"
        }
    }

    /// Short strings of printable characters, any script.
    /// (Not U+2000…U+2FFF: U+2028 and U+2029 are line and paragraph separators.)
    static let printable = Gen<Character>.frequency(
        (4, Gen.character(in: " "..."~")),
        (1, Gen.character(in: "\u{00A0}"..."\u{1FFF}")),
        (1, Gen.character(in: "\u{3000}"..."\u{9FFF}")),
    ).string(of: 0...12)

    /// Short strings with control characters (newlines, tabs, NUL, …) among the printable ones.
    static let withControls = Gen<Character>.frequency(
        (3, Gen.character(in: " "..."~")),
        (1, Gen.character(in: "\u{0000}"..."\u{001F}")),
        (1, Gen<Character?>.element(of: ["\n", "\r\n", "\t", "\u{7F}", "\u{85}", "\u{2028}"] as [Character]).map { $0! }),
    ).string(of: 1...8)

    /// All of the above but the control characters (`withControls`, tested on its own).
    static let any = Gen<String>.frequency(
        (3, anyDouble), (2, smallDouble), (3, special), (2, integer), (2, list), (2, printable),
    )
}

/// Checks the property for one value: a configuration that validates, or a one-line
/// `HyperparameterError` naming the field.
private func check(_ field: HyperparameterField, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let pair = "\(field.name)=\(text.debugDescription)"
    switch field.set("\(field.name)=\(text)") {
    case .accepted(validation: nil):
        break
    case .accepted(validation: let error?):
        Issue.record("\(field.type): \(pair) was accepted but does not validate: \(error)", sourceLocation: sourceLocation)
    case .refused(let error):
        let description = error.description
        let isOneLine = !description.contains { $0.isNewline }
        #expect(isOneLine, "\(field.type): \(pair) gives an error of more than one line: \(description.debugDescription)",
                sourceLocation: sourceLocation)
        #expect(description.contains(field.name), "\(field.type): \(pair) gives an error not naming the field: \(description)",
                sourceLocation: sourceLocation)
    case .otherError(let error):
        Issue.record("\(field.type): \(pair) threw \(type(of: error)), not HyperparameterError: \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct HyperparameterPropertyTests {
    @Test(arguments: HyperparameterField.every)
    func anyValueGivesAValidConfigOrAOneLineErrorNamingTheField(field: HyperparameterField) async {
        await propertyCheck(count: 500, input: ValueText.any) { text in check(field, text) }
    }

    /// `--set 'gamma=0.9\n'` (a value pasted with its newline) is refused on one line too.
    @Test(arguments: HyperparameterField.every)
    func valuesWithControlCharactersGiveOneLineErrors(field: HyperparameterField) async {
        await propertyCheck(count: 200, input: ValueText.withControls) { text in check(field, text) }
    }

    @Test(arguments: HyperparameterType.every)
    func everyFieldHasADeclaredRange(settings: HyperparameterType) throws {
        let ranges = Set(settings.rangeNames)
        #expect(ranges.count == settings.rangeNames.count, "\(settings.type) declares a range twice: \(settings.rangeNames.sorted())")
        let fields = try settings.fieldNames()
        #expect(ranges == fields,
                "\(settings.type): fields without a range \(fields.subtracting(ranges).sorted()), ranges without a field \(ranges.subtracting(fields).sorted())")
    }
}
