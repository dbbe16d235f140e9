import Contracts
import Foundation
@testable import Gateway
import HTTP
import Storage
import Synchronization
import Testing
import TestSupport

/// G6: how long console sessions last, with a clock the test moves: idle and absolute
/// timeouts, the cap per person, and sessions that outlive a restart of the gateway with
/// their idle clocks (invites and passwords: contacts' StaffSignInTests).
@Suite struct PersonSessionsTests {
    final class MovingClock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
        var read: @Sendable () -> Date { { self.now.withLock { $0 } } }
    }

    static let policy = SessionPolicy(idle: 30 * 60, absolute: 12 * 3600, inviteLifetime: 72 * 3600)

    static func store(_ folder: URL, _ clock: MovingClock) throws -> PersonSessions {
        let database = try Database(path: folder.appendingPathComponent("gateway.sqlite").path, migrations: GatewaySchema.migrations)
        return PersonSessions(database: database, policy: policy, now: clock.read)
    }

    @Test func g6ASessionEndsAfterThirtyIdleMinutesOrTwelveHoursWhicheverComesFirst() async throws {
        let clock = MovingClock()
        let sessions = try Self.store(try temporaryFolder("sessions-timeouts"), clock)
        let (token, _) = try await sessions.start(staffID: 1, role: .operator_)
        // Used every 20 minutes it holds, but not past 12 hours after sign-in.
        for _ in 0..<35 {
            clock.advance(20 * 60)
            #expect(sessions.session(for: token) != nil)
        }
        clock.advance(20 * 60 + 1)  // 12 h 0 min 1 s after sign-in
        #expect(sessions.session(for: token) == nil, "absolute timeout")
        let (idle, _) = try await sessions.start(staffID: 1, role: .operator_)
        clock.advance(29 * 60)
        #expect(sessions.session(for: idle) != nil)
        clock.advance(30 * 60)
        #expect(sessions.session(for: idle) == nil, "30 idle minutes")
        #expect(sessions.session(for: "ses_" + String(repeating: "0", count: 64)) == nil)
    }

    @Test func g6SessionsOutliveARestartWithTheirIdleClocksAndEndInTheFileWhenTheyLapse() async throws {
        let folder = try temporaryFolder("sessions-restart")
        let clock = MovingClock()
        let first = try Self.store(folder, clock)
        let (kept, session) = try await first.start(staffID: 4, role: .manager)
        let (lapsing, _) = try await first.start(staffID: 5, role: .operator_)
        clock.advance(25 * 60)
        #expect(first.session(for: kept) != nil)
        try await first.flush()  // the gateway writes idle clocks every minute
        try await first.database.close()

        clock.advance(25 * 60)  // 50 minutes after sign-in, 25 after Anna's last request
        let second = try Self.store(folder, clock)
        try await second.load()
        #expect(second.session(for: kept)?.csrfToken == session.csrfToken, "a restart does not sign people out")
        #expect(second.session(for: lapsing) == nil, "idle since sign-in, 50 minutes")
        try await second.flush()
        let ended = try await second.database.read { c in
            try c.query("SELECT staff_id, ended_why FROM person_sessions WHERE ended_at IS NOT NULL", []) { "\($0.int64(0)) \($0.string(1))" }
        }
        #expect(ended == ["5 timed out"])
    }

    @Test func g6APersonHoldsAtMostTwentySessionsAndEndingThemIsImmediate() async throws {
        let clock = MovingClock()
        let sessions = try Self.store(try temporaryFolder("sessions-cap"), clock)
        var tokens: [String] = []
        for _ in 0..<21 {
            tokens.append(try await sessions.start(staffID: 7, role: .operator_).token)
            clock.advance(1)
        }
        #expect(sessions.session(for: tokens[0]) == nil, "the oldest ended")
        #expect(tokens.dropFirst().allSatisfy { sessions.session(for: $0) != nil })
        let (other, _) = try await sessions.start(staffID: 8, role: .admin)
        try await sessions.end(staffID: 7, unlessRole: .operator_)
        #expect(sessions.session(for: tokens[1]) != nil, "same role: kept")
        try await sessions.end(staffID: 7, unlessRole: .manager)
        #expect(tokens.allSatisfy { sessions.session(for: $0) == nil }, "signed in as an operator, now a manager: sign in again")
        try await sessions.end(token: other)
        #expect(sessions.session(for: other) == nil)
    }

    @Test func g6PasswordsAreLongNotOnlySpacesAndNotTheEmail() {
        #expect(SessionPolicy.problem(password: "short", email: "a@b.c") == "is 5 characters; choose at least 10")
        #expect(SessionPolicy.problem(password: String(repeating: " ", count: 12), email: "a@b.c") == "is only spaces")
        #expect(SessionPolicy.problem(password: "Olga@Example.com", email: "olga@example.com") != nil)
        #expect(SessionPolicy.problem(password: String(repeating: "x", count: 201), email: "") != nil)
        #expect(SessionPolicy.problem(password: "correct horse battery", email: "olga@example.com") == nil)
    }

    @Test func g6WritesFromAnotherSiteAreTold() {
        func request(_ headers: [(String, String)]) -> (request: HTTPRequest, Void) {
            (HTTPRequest(method: "POST", target: "/v1/tasks", headers: headers.map { (name: $0.0, value: $0.1) }), ())
        }
        #expect(KeyAuthentication.crossSite(request([("Sec-Fetch-Site", "cross-site")]).request) != nil)
        #expect(KeyAuthentication.crossSite(request([("Sec-Fetch-Site", "same-site")]).request) != nil)
        #expect(KeyAuthentication.crossSite(request([("Origin", "https://evil.example"), ("Host", "crm.example")]).request) != nil)
        #expect(KeyAuthentication.crossSite(request([("Origin", "null"), ("Host", "crm.example")]).request) != nil)
        #expect(KeyAuthentication.crossSite(request([("Origin", "https://crm.example"), ("Host", "crm.example"), ("Sec-Fetch-Site", "same-origin")]).request) == nil)
        #expect(KeyAuthentication.crossSite(request([]).request) == nil, "a client that is not a browser says nothing")
    }
}
