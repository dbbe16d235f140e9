import Foundation
import Testing
import TestSupport
import TLS

/// Issue 24 over a real contacts process, with a client written from PROTOCOL.md alone in
/// Python (its `ssl` module): a declared caller with the cluster's certificate is served;
/// no certificate, another CA's, an expired one, or a caller the method does not declare
/// is refused, and what it asked for did not happen.
@Suite struct MutualTLSProcessTests {
    /// Frames and codec of PROTOCOL.md §2 and §4 over Python's TLS (§1). Arguments: port,
    /// server name, CA file, certificate and key files (`-` for none), then calls as
    /// `method=hex-of-message`. Prints one JSON line per call: its status code and message
    /// and the response's field numbers, or the error that ended the connection.
    static let client = #"""
        import json, socket, ssl, struct, sys

        def varint(n):
            out = bytearray()
            while True:
                low, n = n & 0x7F, n >> 7
                out.append(low | (0x80 if n else 0))
                if not n:
                    return bytes(out)

        def read_varint(data, i):
            value, shift = 0, 0
            while True:
                byte = data[i]; i += 1
                value |= (byte & 0x7F) << shift; shift += 7
                if not byte & 0x80:
                    return value, i

        def fields(data):
            found, i = {}, 0
            while i < len(data):
                key, i = read_varint(data, i)
                number, wire = key >> 3, key & 7
                if wire == 0:
                    value, i = read_varint(data, i)
                elif wire == 2:
                    size, i = read_varint(data, i); value = data[i:i + size]; i += size
                elif wire == 1:
                    value = data[i:i + 8]; i += 8
                elif wire == 5:
                    value = data[i:i + 4]; i += 4
                else:
                    raise ValueError("wire type %d" % wire)
                found.setdefault(number, []).append(value)
            return found

        def exactly(sock, n):
            data = b""
            while len(data) < n:
                chunk = sock.recv(n - len(data))
                if not chunk:
                    raise ConnectionError("closed by the server")
                data += chunk
            return data

        def call(sock, request_id, method, message):
            head = varint(1 << 3 | 2) + varint(len(method)) + method.encode() + varint(2 << 3) + varint(5_000_000)
            body = varint(len(head)) + head + message
            sock.sendall(struct.pack(">IBBHI", 8 + len(body), 1, 1, 0, request_id) + body)
            while True:
                (length,) = struct.unpack(">I", exactly(sock, 4))
                frame = exactly(sock, length)
                _, kind, _, frame_id = struct.unpack(">BBHI", frame[:8])
                if kind == 2 and frame_id == request_id:
                    break
            size, i = read_varint(frame, 8)
            trailer = fields(frame[i:i + size])
            return {"code": trailer.get(1, [0])[-1], "message": trailer.get(2, [b""])[-1].decode(),
                    "fields": sorted(fields(frame[i + size:]).keys())}

        port, name, ca, cert, key = sys.argv[1:6]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.load_verify_locations(ca)
        if cert != "-":
            context.load_cert_chain(cert, key)
        try:
            sock = context.wrap_socket(socket.create_connection(("127.0.0.1", int(port)), timeout=10), server_hostname=name)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for number, spec in enumerate(sys.argv[6:], start=1):
                method, message = spec.split("=")
                print(json.dumps(call(sock, number, method, bytes.fromhex(message))), flush=True)
        except Exception as error:
            print(json.dumps({"error": "%s: %s" % (type(error).__name__, error)}), flush=True)
        """#

    static let health = "switchboard.Health/Check="
    /// MatchOrCreate for "Ann", `email`: field 1 (the draft) holding field 1 (first name) and 3 (emails).
    static func create(_ email: String) -> String {
        let draft = [0x0A, 3] + Array("Ann".utf8) + [0x1A, UInt8(email.utf8.count)] + Array(email.utf8)
        return "switchboard.contacts.Contacts/MatchOrCreate=" + hex([0x0A, UInt8(draft.count)] + draft)
    }
    /// Search by email: field 3.
    static func search(_ email: String) -> String {
        "switchboard.contacts.Contacts/Search=" + hex([0x1A, UInt8(email.utf8.count)] + Array(email.utf8))
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Runs the Python client against contacts at `port` presenting `files` (nil: no
    /// certificate); one JSON object per line of its output.
    static func run(port: Int, presenting files: TLSFiles?, _ calls: [String], expecting name: String = "contacts") async throws -> [[String: Any]] {
        let folder = try temporaryFolder("python-client")
        let script = folder.appendingPathComponent("client.py"), output = folder.appendingPathComponent("out")
        try Data(client.utf8).write(to: script)
        let arguments = [script.path, "\(port)", name, try TestPKI.files("gateway").authority, files?.certificate ?? "-", files?.key ?? "-"] + calls
        let process = try await ServiceProcess.launches.launch {
            try ChildProcess(path: "/usr/bin/python3", arguments: arguments, environment: ProcessInfo.processInfo.environment, output: output.path)
        }
        #expect(try await process.waitForExit() == 0)
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func aClientWrittenFromTheSpecIsServedOnlyAsADeclaredCallerWithTheClustersCertificate() async throws {
        let folder = try temporaryFolder("contacts-tls")
        let contacts = try await ServiceProcess(
            executable: "switchboard-contacts", environment: ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.path])
        let port = contacts.port

        // The gateway may create contacts: served, over TLS 1.3, from Python.
        let served = try await Self.run(port: port, presenting: try TestPKI.files("gateway"), [Self.health, Self.create("ann@example.com")])
        #expect(served.count == 2 && served.allSatisfy { $0["code"] as? Int == 0 }, "\(served)")
        #expect(served.first?["fields"] as? [Int] == [1], "Health says serving")

        // Notifications may not (MatchOrCreate names deals, billing and the gateway): refused before the handler.
        let undeclared = try await Self.run(port: port, presenting: try TestPKI.files("notifications"), [Self.create("bob@example.com"), Self.health])
        #expect(undeclared.first?["code"] as? Int == 7, "\(undeclared)")
        #expect(undeclared.first?["message"] as? String == "notifications may not call switchboard.contacts.Contacts/MatchOrCreate")
        #expect(undeclared.last?["code"] as? Int == 0, "the connection goes on for what it may call")

        // No certificate, another CA's, an expired one: the connection ends before any call.
        let stranger = try CertificateAuthority.make(name: "Someone else", start: Date() - 300, lifetime: 86_400)
        let refused: [TLSFiles?] = [
            nil,
            try TestPKI.issue("gateway", by: stranger, start: Date() - 300, end: Date() + 86_400),
            try TestPKI.issue("gateway", start: Date() - 10 * 86_400, end: Date() - 86_400),
        ]
        for files in refused {
            let lines = try await Self.run(port: port, presenting: files, [Self.create("eve@example.com")])
            #expect(lines.count == 1 && lines.first?["error"] != nil, "\(lines)")
        }
        // And a client that checks the name refuses contacts when it dialled deals.
        let misnamed = try await Self.run(port: port, presenting: try TestPKI.files("gateway"), [Self.health], expecting: "deals")
        #expect((misnamed.first?["error"] as? String)?.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(misnamed)")

        // Nothing the refused callers asked for happened.
        let found = try await Self.run(
            port: port, presenting: try TestPKI.files("gateway"),
            [Self.search("ann@example.com"), Self.search("bob@example.com"), Self.search("eve@example.com")])
        #expect(found.map { $0["fields"] as? [Int] } == [[1], [], []], "\(found)")
        contacts.signal(SIGTERM)
        #expect(try await contacts.waitForExit() == 0)
    }
}
