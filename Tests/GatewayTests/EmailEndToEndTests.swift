import Foundation
import Testing
import TestSupport

/// N1's email channel against a real SMTP server run by the test (PyPI's aiosmtpd, which
/// .ci/run installs in .build/smtp-venv; set SWITCHBOARD_SMTP_PYTHON to another Python
/// that has it): submission with STARTTLS (a certificate the test makes with openssl) and
/// AUTH, then a relay without STARTTLS and without credentials.
@Suite struct EmailEndToEndTests {
    static let python: String? = {
        let candidates = [ProcessInfo.processInfo.environment["SWITCHBOARD_SMTP_PYTHON"], FileManager.default.currentDirectoryPath + "/.build/smtp-venv/bin/python"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let server = #"""
        import json, ssl, sys, threading
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword
        log, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with open(log, "a") as f:
                    f.write(json.dumps({"to": envelope.rcpt_tos, "from": envelope.mail_from, "tls": session.ssl is not None,
                                        "auth": bool(session.authenticated), "data": envelope.content.decode("utf-8", "replace")}) + "\n")
                return "250 OK queued as Q42"
        def authenticate(server, session, envelope, mechanism, data):
            return AuthResult(success=isinstance(data, LoginPassword) and data.login == b"user" and data.password == b"s3cret")
        kwargs = {}
        if mode == "tls":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(sys.argv[4], sys.argv[5])
            kwargs = dict(tls_context=context, require_starttls=True, authenticator=authenticate, auth_required=True, auth_require_tls=True)
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, server_hostname="localhost", **kwargs)
        controller.start()
        open(log + ".ready", "w").close()
        threading.Event().wait()
        """#

    /// An aiosmtpd on a free port; its received messages are lines of JSON in `log`.
    static func smtp(_ folder: URL, tls: Bool, port: Int) async throws -> ChildProcess {
        let script = folder.appendingPathComponent("smtp.py")
        try Data(server.utf8).write(to: script)
        let log = folder.appendingPathComponent(tls ? "tls.log" : "plain.log")
        var arguments = [script.path, log.path, tls ? "tls" : "plain", String(port)]
        if tls { arguments += [folder.appendingPathComponent("cert.pem").path, folder.appendingPathComponent("key.pem").path] }
        // Its own output, not the test runner's: a child holding our pipes keeps them open.
        let process = try await ServiceProcess.launches.launch {
            try ChildProcess(path: python!, arguments: arguments, environment: ProcessInfo.processInfo.environment)
        }
        #expect(try await eventually { FileManager.default.fileExists(atPath: log.path + ".ready") }, "aiosmtpd started")
        return process
    }

    static func received(_ folder: URL, _ name: String) -> [[String: Any]] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test(.enabled(if: python != nil, "needs aiosmtpd: .ci/run installs it in .build/smtp-venv"))
    func n1AnEmailGoesThroughARealSMTPServerWithSTARTTLSAndAuthAndThroughOneWithout() async throws {
        let folder = try temporaryFolder("smtp")
        let arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                             "-keyout", folder.appendingPathComponent("key.pem").path, "-out", folder.appendingPathComponent("cert.pem").path]
        let openssl = try await ServiceProcess.launches.launch {
            try ChildProcess(path: "/usr/bin/openssl", arguments: arguments, environment: ProcessInfo.processInfo.environment)
        }
        #expect(try await openssl.waitForExit() == 0)
        let (tlsPort, plainPort) = (try freePort(), try freePort())
        let secure = try await Self.smtp(folder, tls: true, port: tlsPort)
        let plain = try await Self.smtp(folder, tls: false, port: plainPort)
        defer {
            secure.signal(SIGKILL)
            plain.signal(SIGKILL)
        }
        let system = try await NotificationsEndToEndTests.start(extra: [
            "NOTIFICATIONS_SMTP_CA_FILE": folder.appendingPathComponent("cert.pem").path, "NOTIFICATIONS_PUBLIC_URL": "https://crm.example.test/",
        ])
        #expect(try await system.request("PUT", "/v1/notification-channels/email", body: #"{"provider":"smtp","baseUrl":"smtp://localhost:\#(tlsPort)","token":"user:s3cret","sender":"noreply@switchboard.test"}"#).status == 200)
        let template = try #require(try await system.request("POST", "/v1/templates", body: #"{"name":"New deal","channel":"email","eventType":"deal.created","subject":"Ваша заявка «{{deal.title}}»","body":"<p>Здравствуйте, {{contact.first_name}}!</p>\n.<p>Мы получили заявку.</p>"}"#).json["id"] as? Int)
        #expect(try await system.request("POST", "/v1/notification-rules", body: #"{"name":"Confirm","eventType":"deal.created","templateId":\#(template),"recipient":"contact","enabled":true}"#).status == 201)
        let contact = try #require((try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Vera <V>","emails":["vera@example.org"]}"#).json["contact"] as? [String: Any])?["id"] as? Int)
        #expect(try await system.request("POST", "/v1/deals", body: #"{"title":"Tom & Jerry","contactId":\#(contact)}"#).status == 201)
        var got: [[String: Any]] = []
        #expect(try await eventually(within: .seconds(20)) { got = Self.received(folder, "tls.log"); return got.count == 1 })
        let mail = try #require(got.first)
        #expect(mail["tls"] as? Bool == true && mail["auth"] as? Bool == true && mail["to"] as? [String] == ["vera@example.org"] && mail["from"] as? String == "noreply@switchboard.test")
        let data = mail["data"] as? String ?? ""
        #expect(data.contains("multipart/alternative") && data.contains("Content-Type: text/plain; charset=utf-8") && data.contains("Content-Type: text/html; charset=utf-8"))
        // RFC 8058's one-click link first (to the gateway's public address), the mailto after it.
        let unsubscribe = data.components(separatedBy: "\r\n").first { $0.hasPrefix("List-Unsubscribe: ") } ?? ""
        #expect(unsubscribe.hasPrefix("List-Unsubscribe: <https://crm.example.test/v1/unsubscribe/\(contact)-1-") && unsubscribe.hasSuffix(">, <mailto:noreply@switchboard.test?subject=unsubscribe>"), "\(unsubscribe)")
        #expect(data.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click") && data.contains("Subject: =?UTF-8?B?"))
        // N1 (issue 22 item 33): the subject is a header, not HTML: "&" stays "&".
        let subjectLine = data.components(separatedBy: "\r\n").first { $0.hasPrefix("Subject: =?UTF-8?B?") } ?? ""
        let subject = String(decoding: Data(base64Encoded: String(subjectLine.dropFirst("Subject: =?UTF-8?B?".count).dropLast(2))) ?? Data(), as: UTF8.self)
        #expect(subject == "Ваша заявка «Tom & Jerry»", "\(subjectLine)")
        let link = unsubscribe.components(separatedBy: "<https://crm.example.test").dropFirst().first?.components(separatedBy: ">").first ?? ""
        let html = data.components(separatedBy: "text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n").last?.components(separatedBy: "\r\n--").first ?? ""
        let decoded = String(decoding: Data(base64Encoded: html.replacingOccurrences(of: "\r\n", with: "")) ?? Data(), as: UTF8.self)
        #expect(decoded == "<p>Здравствуйте, Vera &lt;V&gt;!</p>\n.<p>Мы получили заявку.</p>", "escaped HTML, the leading dot intact")
        var sent: [[String: Any]] = []
        #expect(try await eventuallyAsync { sent = (try? await system.items("/v1/notification-sends?status=sent")) ?? []; return sent.count == 1 })
        #expect((sent.first?["providerMessageId"] as? String ?? "").contains("Q42") && sent.first?["address"] as? String == "vera@example.org")
        // A relay with no STARTTLS: plain, only without credentials.
        #expect(try await system.request("PUT", "/v1/notification-channels/email", body: #"{"provider":"smtp","baseUrl":"smtp://localhost:\#(plainPort)","token":"user:s3cret","sender":"noreply@switchboard.test"}"#).status == 200)
        #expect(try await system.request("POST", "/v1/deals", body: #"{"title":"Doors","contactId":\#(contact)}"#).status == 201)
        var failedSend: [String: Any] = [:]
        #expect(try await eventuallyAsync { failedSend = ((try? await system.items("/v1/notification-sends?status=failed")) ?? []).first ?? [:]; return !failedSend.isEmpty })
        let why = (failedSend["history"] as? [[String: Any]])?.last?["note"] as? String ?? ""
        #expect(why.contains("not sent in plain text"), "\(why)")
        // Without credentials (an empty token clears it), a relay without STARTTLS takes it in plain.
        #expect(try await system.request("PUT", "/v1/notification-channels/email", body: #"{"provider":"smtp","baseUrl":"smtp://localhost:\#(plainPort)","token":"","sender":"noreply@switchboard.test"}"#).json["tokenSet"] as? Bool == false)
        #expect(try await system.request("POST", "/v1/deals", body: #"{"title":"Gates","contactId":\#(contact)}"#).status == 201)
        #expect(try await eventually(within: .seconds(20)) { got = Self.received(folder, "plain.log"); return got.count == 1 })
        #expect(got.first?["tls"] as? Bool == false && got.first?["auth"] as? Bool == false && (got.first?["data"] as? String ?? "").contains("multipart/alternative"))
        // The link followed: a browser's GET only shows the button; the mail client's one-click POST opts out.
        let page = try await httpRequest(port: system.gateway.port, "GET", link)
        let skippedBefore = try await system.items("/v1/notification-sends?status=skipped")
        #expect(page.status == 200 && page.body.contains("<form method=\"post\"") && skippedBefore.isEmpty)
        // A made-up link is not a page (README: 404), as its POST is not.
        let madeUp = try await httpRequest(port: system.gateway.port, "GET", link.replacingOccurrences(of: "/\(contact)-1-", with: "/\(contact + 1)-1-"))
        #expect(madeUp.status == 404, "\(madeUp.status)")
        let forged = try await httpRequest(port: system.gateway.port, "POST", link.replacingOccurrences(of: "/\(contact)-1-", with: "/\(contact + 1)-1-"), headers: ["Content-Type": "application/x-www-form-urlencoded"], body: "List-Unsubscribe=One-Click")
        #expect(forged.status == 404)
        let done = try await httpRequest(port: system.gateway.port, "POST", link, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: "List-Unsubscribe=One-Click")
        #expect(done.status == 200 && done.body.contains("unsubscribed"), "\(done.body)")
        #expect(try await system.request("POST", "/v1/deals", body: #"{"title":"Roof","contactId":\#(contact)}"#).status == 201)
        var skipped: [String: Any] = [:]
        #expect(try await eventuallyAsync { skipped = ((try? await system.items("/v1/notification-sends?status=skipped")) ?? []).first ?? [:]; return !skipped.isEmpty })
        #expect(((skipped["history"] as? [[String: Any]])?.last?["note"] as? String ?? "").contains("opted out of email: unsubscribe link"), "\(skipped)")
        try await system.stop()
    }
}
