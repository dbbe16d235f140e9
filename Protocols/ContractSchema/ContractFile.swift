/// One generated Swift file of Protocols/Contracts: a service (or a set of shared
/// messages) with its messages and enumerations, in the order declared.
public struct ContractFile: Sendable, Equatable {
    public enum Declaration: Sendable, Equatable {
        case service(Service)
        case message(Message)
        case enumeration(Enumeration)
        /// `public typealias name = target` (a request shaped like another).
        case alias(name: String, target: String)
    }

    /// The file is `<name>.swift`.
    public let name: String
    public let declarations: [Declaration]

    public init(_ name: String, @DeclarationBuilder declarations: () -> [Declaration]) {
        self.name = name
        self.declarations = declarations()
    }

    public var messages: [Message] { declarations.compactMap { if case let .message(m) = $0 { m } else { nil } } }
    public var enumerations: [Enumeration] { declarations.compactMap { if case let .enumeration(e) = $0 { e } else { nil } } }
    public var services: [Service] { declarations.compactMap { if case let .service(s) = $0 { s } else { nil } } }
    public var aliases: [(name: String, target: String)] {
        declarations.compactMap { if case let .alias(n, t) = $0 { (n, t) } else { nil } }
    }
}

/// `Alias("DeleteContactRequest", "GetContactRequest")` in a contract file.
public struct Alias: Sendable {
    public let name: String
    public let target: String
    public init(_ name: String, _ target: String) {
        self.name = name
        self.target = target
    }
}

@resultBuilder
public enum DeclarationBuilder {
    public static func buildExpression(_ s: Service) -> [ContractFile.Declaration] { [.service(s)] }
    public static func buildExpression(_ m: Message) -> [ContractFile.Declaration] { [.message(m)] }
    public static func buildExpression(_ e: Enumeration) -> [ContractFile.Declaration] { [.enumeration(e)] }
    public static func buildExpression(_ a: Alias) -> [ContractFile.Declaration] { [.alias(name: a.name, target: a.target)] }
    public static func buildBlock(_ parts: [ContractFile.Declaration]...) -> [ContractFile.Declaration] { parts.flatMap { $0 } }
}
