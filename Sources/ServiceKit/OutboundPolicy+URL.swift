import FoundationEssentials
import Glibc
import Sockets

extension OutboundPolicy {
    /// The policy from `<PREFIX>_OUTBOUND_ALLOW` (CIDR ranges, `loopback`, `private`;
    /// unset: nothing but public addresses).
    public static func from(_ environment: ServiceEnvironment) throws(ConfigurationError) -> OutboundPolicy {
        let text = environment.string(.outboundAllow)
        do {
            return try OutboundPolicy(allowing: text)
        } catch {
            throw ConfigurationError(variable: environment.name(of: .outboundAllow), problem: "is \"\(text)\": \(error.reason)")
        }
    }

    /// Why the system may not call `url`, nil when it may: the scheme must be one of
    /// `schemes`, and the host must pass the policy (checked again when connected to).
    public func refusal(url text: String, schemes: Set<String> = ["http", "https"]) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), let host = url.host, !host.isEmpty else {
            return "is not a\(schemes == ["smtp"] ? "n smtp://host:port" : " \(schemes.sorted().joined(separator: " or ")) URL") address"
        }
        guard url.user == nil, url.password == nil else { return "carries credentials in the URL; give them as the token" }
        return refusal(host: host)
    }
}
