import Contracts
import Foundation
import Sockets

/// Email over SMTP submission (N1): `baseUrl` `smtp://relay:587`, STARTTLS whenever the
/// relay offers it (always when there are credentials: they never cross in plain text),
/// `AUTH PLAIN` with the channel's token `user:password`, `sender` the From address. The
/// message is multipart — the text (the HTML's tags taken out) and the HTML, and a file
/// attached when there is one — with a List-Unsubscribe header. The relay's queue id is
/// the provider message id.
struct EmailChannel: ChannelAdapter {
    func send(_ message: Outgoing, settings: ChannelSettings, baseURL: String, client: ProviderClient) async -> Result<Accepted, ProviderFailure> {
        guard let url = URL(string: baseURL), url.scheme == "smtp", let host = url.host else {
            return .failure(ProviderFailure("the email channel's baseUrl is \(baseURL); expected smtp://host:port", retry: false))
        }
        let port = url.port ?? 587
        let text = Self.message(message, from: settings.sender)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.deliver(
                    host: host, port: port, outbound: client.outbound, roots: client.extraRoots, token: settings.credential, from: settings.sender,
                    to: message.address, data: text))
            }
        }
    }

    static func deliver(
        host: String, port: Int, outbound: OutboundPolicy, roots: String?, token: String, from: String, to: String, data: String
    ) -> Result<Accepted, ProviderFailure> {
        // Checked when saved too; here so nothing stored before those checks, or from a
        // contact's record, can end an SMTP command and start another.
        for (what, address) in [("recipient", to), ("sender", from)] {
            if let problem = RecipientAddress.emailProblem(address) { return .failure(ProviderFailure("the \(what): \(problem)", retry: false)) }
        }
        do throws(SMTPConnection.Failure) {
            let c = try SMTPConnection(host: host, port: port, outbound: outbound)
            defer { c.close() }
            guard try c.reply().code == 220 else { throw SMTPConnection.Failure(message: "\(host) did not greet", retry: true) }
            var features = try c.command("EHLO switchboard", expect: [250], what: "EHLO")
            if features.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                try c.command("STARTTLS", expect: [220], what: "STARTTLS")
                try c.startTLS(caFile: roots)
                features = try c.command("EHLO switchboard", expect: [250], what: "EHLO after STARTTLS")
            }
            if !token.isEmpty {
                guard c.secure else { throw SMTPConnection.Failure(message: "\(host) offers no STARTTLS: the credentials are not sent in plain text", retry: false) }
                let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
                let plain = Data(([0] + Array((parts.first ?? "").utf8) + [0] + Array((parts.count > 1 ? parts[1] : "").utf8))).base64EncodedString()
                try c.command("AUTH PLAIN \(plain)", expect: [235], what: "the credentials")
            }
            try c.command("MAIL FROM:<\(from)>", expect: [250], what: "the sender \(from)")
            try c.command("RCPT TO:<\(to)>", expect: [250, 251], what: "the recipient \(to)")
            try c.command("DATA", expect: [354], what: "DATA")
            // Dot-stuffing: a line starting with "." gets another.
            let stuffed = data.replacingOccurrences(of: "\r\n.", with: "\r\n..")
            let queued = try c.command(stuffed + "\r\n.", expect: [250], what: "the message")
            _ = try? c.command("QUIT", expect: [221], what: "QUIT")
            return .success(Accepted(providerMessageID: queued.joined(separator: " ")))
        } catch {
            return .failure(ProviderFailure(error.message, retry: error.retry))
        }
    }

    /// RFC 5322 with MIME: multipart/alternative, UTF-8, the subject in RFC 2047.
    static func message(_ m: Outgoing, from: String) -> String {
        let boundary = "sb-\(m.messageID)"
        let subject = "=?UTF-8?B?\(Data(m.subject.utf8).base64EncodedString())?="
        let date = DateFormatter()
        date.locale = Locale(identifier: "en_US_POSIX")
        date.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = from.split(separator: "@").last.map(String.init) ?? "switchboard.local"
        let text = m.body.replacingOccurrences(of: "<br>", with: "\n").replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        func base64Lines(_ s: String) -> String {
            let all = Data(s.utf8).base64EncodedString()
            return stride(from: 0, to: all.count, by: 76).map { i in String(all.dropFirst(i).prefix(76)) }.joined(separator: "\r\n")
        }
        let unsubscribe = m.unsubscribeURL.isEmpty
            ? ["List-Unsubscribe: <mailto:\(from)?subject=unsubscribe>"]
            : ["List-Unsubscribe: <\(m.unsubscribeURL)>, <mailto:\(from)?subject=unsubscribe>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
        let headers = [
            "From: \(from)", "To: \(m.address)", "Subject: \(subject)", "Date: \(date.string(from: Date()))",
            "Message-ID: <\(m.messageID)@\(domain)>", "MIME-Version: 1.0",
        ] + unsubscribe
        let alternative = [
            "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(text),
            "--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(m.body),
            "--\(boundary)--",
        ]
        guard let attachment = m.attachment else {
            return (headers + ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", ""] + alternative).joined(separator: "\r\n")
        }
        // The file's name is ours (a report's kind and dates); quotes and line breaks cannot reach a header.
        let name = attachment.name.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" }
        let mixed = "sb-mixed-\(m.messageID)"
        return (headers + [
            "Content-Type: multipart/mixed; boundary=\"\(mixed)\"", "",
            "--\(mixed)", "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "",
        ] + alternative + [
            "--\(mixed)", "Content-Type: text/csv; charset=utf-8; name=\"\(name)\"", "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"\(name)\"", "", base64Lines(attachment.text),
            "--\(mixed)--",
        ]).joined(separator: "\r\n")
    }
}
