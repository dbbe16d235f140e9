import Dispatch
import Glibc

/// Where the system may open connections on a user's say-so (webhook subscriptions,
/// channel and integration base URLs, webhook-rule addresses): the one rule every
/// outbound URL passes, when it is saved and again when it is connected to (after DNS,
/// so a name that later resolves inward is refused too). Refused unless an operator allows
/// them: loopback, unspecified, link-local (cloud metadata lives at 169.254.169.254),
/// private (RFC 1918, RFC 6598 shared, IPv6 unique-local), multicast and reserved ranges,
/// in every spelling a resolver accepts (`2852039166`, `0xa9.0xfe.0xa9.0xfe`,
/// `[::ffff:a9fe:a9fe]`, NAT64 and 6to4 embeddings).
public struct OutboundPolicy: Sendable, Equatable {
    /// Ranges an operator allows despite the rule (`127.0.0.0/8` for local providers).
    public let allowed: [AddressRange]

    public init(allowed: [AddressRange] = []) {
        self.allowed = allowed
    }

    /// Parses an allow list: CIDR ranges and the names `loopback` and `private`,
    /// separated by commas (empty: nothing allowed beyond public addresses).
    public init(allowing text: String) throws(SocketError) {
        var ranges: [AddressRange] = []
        for item in text.split(separator: ",").map({ $0.trimmingSpaces }) where !item.isEmpty {
            switch item {
            case "loopback": ranges += AddressRange.loopback
            case "private": ranges += AddressRange.privateRanges
            default:
                guard let range = AddressRange(cidr: item) else {
                    throw SocketError("outbound allow list", reason: "\(item) is not a CIDR range (such as 10.1.0.0/16 or fd00::/8), loopback or private")
                }
                ranges.append(range)
            }
        }
        allowed = ranges
    }

    /// Why an address may not be connected to, nil when it may.
    public func refusal(_ address: IPAddress) -> String? {
        guard let kind = address.specialUse else { return nil }
        if allowed.contains(where: { $0.contains(address) }) { return nil }
        return "\(address) is \(kind): outbound connections there are refused unless an operator allows the range"
    }

    /// Why `host` may not be called, judged without DNS (when a URL is saved: a lookup
    /// there could hang a request for the resolver's timeouts): a literal address in any
    /// spelling, or a name that means this machine (`localhost`, `*.localhost`). Any other
    /// name passes here and is checked when connected to (``address(host:port:)``,
    /// ``refusalResolving(host:)``).
    public func refusal(host: String) -> String? {
        let bare = Self.unbracketed(host)
        if let literal = IPAddress(literal: bare) { return refusal(literal) }
        let name = bare.lowercased().hasSuffix(".") ? String(bare.lowercased().dropLast()) : bare.lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") || ["localhost.localdomain", "ip6-localhost", "ip6-loopback"].contains(name) {
            return refusal(IPAddress(bytes: [127, 0, 0, 1])!).map { "\(host) is this machine: \($0)" }
        }
        return nil
    }

    /// Why `host` may not be called, its name resolved (on a Dispatch thread: getaddrinfo
    /// blocks): every address it has must pass. One that does not resolve is left to the
    /// connection to fail.
    public func refusalResolving(host: String) async -> String? {
        if let why = refusal(host: host) { return why }
        let bare = Self.unbracketed(host)
        guard IPAddress(literal: bare) == nil else { return nil }
        let addresses = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Self.resolveAll(bare)) }
        }
        for address in addresses {
            if let why = refusal(address) { return "\(host) resolves to \(why)" }
        }
        return nil
    }

    /// Resolves `host` and returns the first address the policy allows to connect to;
    /// refused when any of its addresses is not allowed (a name pointing inward anywhere
    /// is not a public endpoint).
    public func address(host: String, port: Int) throws(SocketError) -> SocketAddress {
        let address = try SocketAddress.resolve(host: host, port: port)
        guard let ip = address.ipAddress else { throw SocketError("connect to \(host):\(port)", reason: "not an IP address") }
        if let why = refusal(ip) { throw SocketError("connect to \(host):\(port)", reason: why) }
        return address
    }

    /// A URL's IPv6 host without its brackets (`[::1]` is `::1`).
    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// Every address a name resolves to (none when it does not resolve).
    static func resolveAll(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0 else { return [] }
        defer { freeaddrinfo(result) }
        var out: [IPAddress] = []
        var cursor = result
        while let entry = cursor {
            if let address = entry.pointee.ai_addr.flatMap(IPAddress.init(sockaddr:)) { out.append(address) }
            cursor = entry.pointee.ai_next
        }
        return out
    }
}

/// An IPv4 or IPv6 address as its 4 or 16 bytes.
public struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A literal as a resolver reads it: IPv6, or IPv4 in inet_aton's spellings (decimal,
    /// octal and hexadecimal parts, one to four of them: `2852039166` is 169.254.169.254).
    public init?(literal: String) {
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        var v4 = in_addr()
        guard !literal.isEmpty, inet_aton(literal, &v4) != 0 else { return nil }
        bytes = withUnsafeBytes(of: &v4) { Array($0) }
    }

    public init?(sockaddr pointer: UnsafeMutablePointer<sockaddr>) {
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            var a = pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            bytes = withUnsafeBytes(of: &a) { Array($0) }
        case AF_INET6:
            var a = pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            bytes = withUnsafeBytes(of: &a) { Array($0) }
        default: return nil
        }
    }

    /// The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), if any.
    var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let b = bytes
        if b[0..<10].allSatisfy({ $0 == 0 }) && ((b[10] == 0xFF && b[11] == 0xFF) || (b[10] == 0 && b[11] == 0 && b[12...].contains { $0 != 0 })) {
            return IPAddress(bytes: Array(b[12...]))
        }
        if b[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return IPAddress(bytes: Array(b[12...])) }
        if b[0] == 0x20 && b[1] == 0x02 { return IPAddress(bytes: Array(b[2..<6])) }
        return nil
    }

    /// What special range the address is in (nil: a public address).
    public var specialUse: String? {
        if let inner = embeddedIPv4 { return inner.specialUse.map { "\($0) (inside \(self))" } }
        for (range, kind) in AddressRange.special where range.contains(self) { return kind }
        return nil
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var copy = bytes
        _ = inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, &copy, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A CIDR range (`10.0.0.0/8`, `fe80::/10`).
public struct AddressRange: Sendable, Equatable {
    public let base: IPAddress
    public let prefixLength: Int

    public init?(cidr: String) {
        let parts = cidr.split(separator: "/", maxSplits: 1)
        guard let base = IPAddress(literal: String(parts[0])), String(parts[0]).contains(base.bytes.count == 4 ? "." : ":") else { return nil }
        let maxLength = base.bytes.count * 8
        let length = parts.count == 2 ? Int(parts[1]) : maxLength
        guard let length, (0...maxLength).contains(length) else { return nil }
        self.base = base
        self.prefixLength = length
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == base.bytes.count else { return false }
        var left = prefixLength
        for (a, b) in zip(address.bytes, base.bytes) {
            guard left > 0 else { return true }
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            guard a & mask == b & mask else { return false }
            left -= 8
        }
        return true
    }

    static func of(_ cidr: String) -> AddressRange { AddressRange(cidr: cidr)! }

    static let loopback = [of("127.0.0.0/8"), of("::1/128")]
    static let privateRanges = [of("10.0.0.0/8"), of("172.16.0.0/12"), of("192.168.0.0/16"), of("100.64.0.0/10"), of("fc00::/7")]

    /// The ranges no user-given URL reaches by default, with what each is.
    static let special: [(AddressRange, String)] = [
        (of("0.0.0.0/8"), "unspecified"), (of("::/128"), "unspecified"),
        (of("127.0.0.0/8"), "loopback"), (of("::1/128"), "loopback"),
        (of("169.254.0.0/16"), "link-local"), (of("fe80::/10"), "link-local"),
        (of("10.0.0.0/8"), "private"), (of("172.16.0.0/12"), "private"), (of("192.168.0.0/16"), "private"),
        (of("100.64.0.0/10"), "private (shared address space)"), (of("fc00::/7"), "private (unique local)"),
        (of("192.0.0.0/24"), "reserved"), (of("198.18.0.0/15"), "reserved (benchmarking)"),
        (of("224.0.0.0/4"), "multicast"), (of("ff00::/8"), "multicast"), (of("240.0.0.0/4"), "reserved"),
    ]
}

extension SocketAddress {
    /// The address without its port.
    public var ipAddress: IPAddress? {
        var copy = storage
        return withUnsafeMutablePointer(to: &copy) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { IPAddress(sockaddr: $0) } }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
