import Contracts
import Foundation

/// An SMS provider of the region in SMS.ru's shape: `POST <base>/sms/send` (form `api_id`,
/// `to`, `msg`, `from`, `json=1`), answered `{"status":"OK","sms":{"<phone>":{"status":"OK",
/// "sms_id":"…","cost":"1.50"}}}`; the reported cost (roubles, a decimal string) becomes
/// minor units exactly.
struct SMSRuChannel: ChannelAdapter {
    func send(_ message: Outgoing, settings: ChannelSettings, baseURL: String, client: ProviderClient) async -> Result<Accepted, ProviderFailure> {
        let phone = message.address.filter(\.isNumber)
        var form = [("api_id", settings.credential), ("to", phone), ("msg", message.body), ("json", "1")]
        if !settings.sender.isEmpty { form.append(("from", settings.sender)) }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let result = await client.post("\(base)/sms/send", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8), timeout: .seconds(15))
        return Self.answer(result, provider: "SMS").flatMap { object in
            guard object["status"] as? String == "OK", let sms = (object["sms"] as? [String: Any])?[phone] as? [String: Any], sms["status"] as? String == "OK" else {
                let why = ((object["sms"] as? [String: Any])?[phone] as? [String: Any])?["status_text"] ?? object["status_text"] ?? "refused"
                return .failure(ProviderFailure("the SMS provider refused it: \(why)", retry: false))
            }
            let cost = (sms["cost"]).flatMap { try? Money(parsing: "\($0)", currency: "RUB").minor }
            return .success(Accepted(providerMessageID: "\(sms["sms_id"] ?? "")", costMinor: cost, currency: cost == nil ? nil : "RUB"))
        }
    }
}
