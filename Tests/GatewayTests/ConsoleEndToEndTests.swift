import Foundation
@testable import Gateway
import Testing
import TestSupport

/// Issue 27 item 1: the gateway serves the console at `/`: its page and files with a
/// validator a browser revalidates (304), compressed when asked, nothing but its own files.
@Suite struct ConsoleEndToEndTests {
    @Test func g6TheConsoleIsServedAtTheRootWithValidatorsAndCompression() async throws {
        let system = try await ConversationsEndToEndTests.start()
        let port = system.gateway.port
        let page = try await httpRequest(port: port, "GET", "/")
        #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8" && page.body.contains("<title>Switchboard</title>"))
        let etag = try #require(page.headers["etag"])
        #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
        #expect(try await httpRequest(port: port, "GET", "/", headers: ["If-None-Match": etag]).status == 304)
        #expect(try await httpRequest(port: port, "GET", "/", headers: ["If-None-Match": "\"other\""]).status == 200)
        let script = try await httpRequest(port: port, "GET", "/console/console.js")
        #expect(script.status == 200 && script.headers["content-type"] == "text/javascript; charset=utf-8" && script.body.contains("fetch("))
        let zipped = try await httpRequest(port: port, "GET", "/console/console.js", headers: ["Accept-Encoding": "gzip, br"])
        #expect(zipped.headers["content-encoding"] == "gzip" && zipped.headers["vary"] == "Accept-Encoding")
        for path in ["/console/missing.js", "/console/..%2Fconsole.js", "/console/index.php"] {
            #expect(try await httpRequest(port: port, "GET", path).status == 404, "\(path)")
        }
        try await system.stop()
    }

    @Test func g6AFileIsCompressedWithGzipFramingOnlyWhenThatIsSmaller() {
        let text = Array(String(repeating: "the console, ", count: 200).utf8)
        let zipped = try? #require(ConsoleFiles.gzip(text))
        #expect(zipped.map { Array($0.prefix(3)) } == [0x1f, 0x8b, 0x08] && (zipped?.count ?? .max) < text.count / 10)
        #expect(ConsoleFiles.gzip(Array("x".utf8)) == nil, "a byte does not shrink")
    }
}
