/// What is trimmed from the ends of what people type, as Foundation's
/// `CharacterSet.whitespaces` and `.whitespacesAndNewlines` mean it, without Foundation
/// (issue 30: services that need no more than FoundationEssentials never load ICU).
public enum Blank: Sendable {
    /// Space separators (category Zs) and the tab.
    case spaces
    /// Those, line and paragraph separators, and the line-break controls (LF, VT, FF, CR, NEL).
    case spacesAndNewlines

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .spaces: scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        case .spacesAndNewlines: scalar.properties.isWhitespace
        }
    }
}

extension StringProtocol {
    /// The text without `blank` at either end.
    public func trimming(_ blank: Blank) -> String {
        let text = String(self)
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank.contains($0) })!
        return String(Substring(scalars[first...last]))
    }
}
