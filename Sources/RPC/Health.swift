import Wire

/// The health method every ``RPCServer`` answers, for probes and `healthcheck` modes.
public enum Health {
    public static let check = MethodDescriptor<HealthCheckRequest, HealthCheckResponse>(
        service: "switchboard.Health", method: "Check", isIdempotent: true)
}

/// Whether a server (or one of its services) can take calls.
public enum ServingStatus: Int, Sendable, WireEnum {
    case unknown = 0
    case serving = 1
    case notServing = 2
    /// The request named a service this server does not have.
    case serviceUnknown = 3

    public static var unrecognized: ServingStatus { .unknown }
}

/// Asks about one service; "" asks about the whole server.
public struct HealthCheckRequest: WireMessage, Equatable {
    public var service: String = ""

    public init() {}
    public init(service: String) { self.service = service }

    public func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, service)
    }

    public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: service = try decoder.string(key)
        default: try decoder.skip(key)
        }
    }
}

/// The answer to ``HealthCheckRequest``.
public struct HealthCheckResponse: WireMessage, Equatable {
    public var status: ServingStatus = .unknown

    public init() {}
    public init(status: ServingStatus) { self.status = status }

    public func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, status)
    }

    public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: status = try decoder.enumeration(key)
        default: try decoder.skip(key)
        }
    }
}
