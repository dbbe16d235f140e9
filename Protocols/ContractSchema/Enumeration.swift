/// An enumeration carried as a varint (`WireEnum`): the case numbered 0 is what an
/// unknown value (from a newer peer) reads as. Each case has the name the API shows
/// (snake_case of the Swift name unless given).
public struct Enumeration: Sendable, Equatable {
    public struct Case: Sendable, Equatable {
        public let number: Int
        public let name: String
        /// The name in JSON and in the API's documents.
        public let apiName: String
        public let doc: String?

        public init(_ number: Int, _ name: String, apiName: String? = nil, doc: String? = nil) {
            self.number = number
            self.name = name
            self.apiName = apiName ?? Self.snakeCase(name)
            self.doc = doc
        }

        static func snakeCase(_ name: String) -> String {
            var out = ""
            for c in name.trimmingTrailingUnderscore {
                if c.isUppercase {
                    out += "_" + c.lowercased()
                } else {
                    out.append(c)
                }
            }
            return out
        }
    }

    public let name: String
    public let doc: String?
    public let cases: [Case]
    /// Whether the Swift enum is `CaseIterable` (lists of allowed values need it).
    public let caseIterable: Bool

    public init(_ name: String, doc: String? = nil, caseIterable: Bool = true, @CaseBuilder cases: () -> [Case]) {
        self.name = name
        self.doc = doc
        self.caseIterable = caseIterable
        self.cases = cases()
    }

    /// The case numbered 0.
    public var zero: Case? { cases.first { $0.number == 0 } }
}

@resultBuilder
public enum CaseBuilder {
    public static func buildExpression(_ c: Enumeration.Case) -> [Enumeration.Case] { [c] }
    public static func buildBlock(_ parts: [Enumeration.Case]...) -> [Enumeration.Case] { parts.flatMap { $0 } }
}

extension String {
    var trimmingTrailingUnderscore: Substring {
        var s = Substring(self)
        while s.last == "_" { s.removeLast() }
        return s
    }
}
