import Testing

/// Expects `body` to throw an error whose description contains each of `fragments`. A user
/// reads the message, so the message is what a test of bad input checks, not only the type.
public func expectError(_ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected an error mentioning \(fragments)", sourceLocation: sourceLocation)
    } catch {
        let message = String(describing: error)
        for fragment in fragments where !message.contains(fragment) {
            Issue.record("the error \"\(message)\" does not mention \"\(fragment)\"", sourceLocation: sourceLocation)
        }
    }
}
