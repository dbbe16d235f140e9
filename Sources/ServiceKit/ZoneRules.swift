import Contracts
import FoundationEssentials
import Glibc
import Synchronization

/// An IANA time zone's offsets from UTC (S1, D7's report days, the deployment's zone),
/// read from the system's zone files: TZif (RFC 8536), its transitions and, past the last
/// one, the POSIX TZ rule in its footer.
///
/// Not Foundation's `TimeZone(identifier:)`: without FoundationInternationalization (and
/// ICU, ~12 MB more at idle, issue 30) it knows only UTC and fixed offsets. The files come
/// with the system's tzdata (`/usr/share/zoneinfo`, or `TZDIR`), as for every C program;
/// `Compose/Dockerfile` installs it.
public struct ZoneRules: Sendable, Equatable {
    public let identifier: String
    /// Transition instants (UTC seconds), ascending, and the offset from each on.
    let transitions: [Int64]
    let offsets: [Int32]
    /// The offset before the first transition (local time type 0).
    let initial: Int32
    /// What holds after the last transition.
    let rule: PosixRule?

    /// The zone named `identifier` from the system's zone files, read once per process;
    /// nil for a name that is not one (or has `..` in it, or starts with `/`).
    public static func named(_ identifier: String) -> ZoneRules? {
        if let known = cache.withLock({ $0[identifier] }) { return known }
        guard !identifier.isEmpty, identifier.utf8.count <= 100, !identifier.hasPrefix("/"), !identifier.contains(".."),
            identifier.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) })
        else { return nil }
        let directory = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
        let rules: ZoneRules
        if let data = FileManager.default.contents(atPath: "\(directory)/\(identifier)"), data.count <= 1 << 20,
            let read = ZoneRules(identifier: identifier, tzif: Array(data))
        {
            rules = read
        } else if ["UTC", "Etc/UTC", "GMT", "Etc/GMT"].contains(identifier) {
            // The default zone works on a host without tzdata too.
            rules = ZoneRules(identifier: identifier, transitions: [], offsets: [], initial: 0, rule: nil)
        } else {
            return nil
        }
        cache.withLock { $0[identifier] = rules }
        return rules
    }

    private static let cache = Mutex<[String: ZoneRules]>([:])

    init(identifier: String, transitions: [Int64], offsets: [Int32], initial: Int32, rule: PosixRule?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.initial = initial
        self.rule = rule
    }

    /// The offset from UTC in force at `instant` (UTC seconds), in seconds east.
    public func secondsFromGMT(at instant: Int64) -> Int {
        if let rule, transitions.last.map({ instant >= $0 }) ?? true { return Int(rule.offset(at: instant)) }
        // The last transition at or before the instant.
        var low = 0, high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= instant { low = middle + 1 } else { high = middle }
        }
        return Int(low == 0 ? initial : offsets[low - 1])
    }

    /// Reads a TZif file (versions 1 to 4); nil when it is not one.
    public init?(identifier: String, tzif bytes: [UInt8]) {
        var reader = TZifReader(bytes: bytes)
        guard let first = reader.header() else { return nil }
        var header = first
        var wide = false
        if first.version >= 2 {
            // Version 2 and later repeat the data with 64-bit times after the 32-bit block.
            guard reader.skip(first.blockLength(timeSize: 4)), let second = reader.header() else { return nil }
            header = second
            wide = true
        }
        let timeSize = wide ? 8 : 4
        var times: [Int64] = []
        for _ in 0..<header.timeCount {
            guard let t = wide ? reader.int64() : reader.int32().map(Int64.init) else { return nil }
            times.append(t)
        }
        var indices: [Int] = []
        for _ in 0..<header.timeCount {
            guard let i = reader.byte(), Int(i) < header.typeCount else { return nil }
            indices.append(Int(i))
        }
        var types: [Int32] = []
        for _ in 0..<header.typeCount {
            guard let offset = reader.int32(), reader.byte() != nil, reader.byte() != nil else { return nil }
            types.append(offset)
        }
        guard !types.isEmpty, reader.skip(header.charCount + header.leapCount * (timeSize + 4) + header.standardCount + header.utcCount) else { return nil }
        var rule: PosixRule?
        if wide, let footer = reader.footer(), !footer.isEmpty {
            guard let parsed = PosixRule(footer) else { return nil }
            rule = parsed
        }
        self.identifier = identifier
        transitions = times
        offsets = indices.map { types[$0] }
        initial = types[0]
        self.rule = rule
    }
}

/// A POSIX TZ rule (`EST5EDT,M3.2.0,M11.1.0`, `<+03>-3`), as a TZif footer gives it
/// (RFC 8536 §3.3: hours up to ±167 in transition times).
struct PosixRule: Sendable, Equatable {
    /// Seconds east of UTC in standard and in daylight time.
    let standard: Int64
    let daylight: Int64?
    let start: Transition?
    let end: Transition?

    struct Transition: Sendable, Equatable {
        enum Day: Sendable, Equatable {
            /// `Jn`: day 1–365, February 29 never counted.
            case julian(Int64)
            /// `n`: day 0–365, February 29 counted in leap years.
            case zeroBased(Int64)
            /// `Mm.w.d`: weekday d (0 Sunday) of week w (5: the last) of month m.
            case month(Int64, week: Int64, weekday: Int64)
        }
        let day: Day
        /// Local seconds after that day's midnight (02:00 unless given).
        let time: Int64

        /// The local midnight of this day in `year`, as days since 1970-01-01.
        func date(in year: Int64) -> Int64 {
            let january = CivilDate(year: year, month: 1, day: 1).day
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            switch day {
            case let .julian(n): return january + n - 1 + (leap && n >= 60 ? 1 : 0)
            case let .zeroBased(n): return january + n
            case let .month(month, week, weekday):
                let first = CivilDate(year: year, month: month, day: 1)
                // CivilDate's weekday is ISO (Monday 1 ... Sunday 7); POSIX counts Sunday 0.
                let firstWeekday = first.weekday % 7
                var day = first.day + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
                let nextMonth = month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
                while day >= nextMonth.day { day -= 7 }
                return day
            }
        }
    }

    func offset(at instant: Int64) -> Int64 {
        guard let daylight, let start, let end else { return standard }
        let year = CivilDate(day: CivilDate.floorDivide(instant + standard, 86_400)).parts.year
        // The start is read in standard time and the end in daylight time (POSIX).
        let begins = start.date(in: year) * 86_400 + start.time - standard
        let ends = end.date(in: year) * 86_400 + end.time - daylight
        if begins < ends { return instant >= begins && instant < ends ? daylight : standard }
        // Southern hemisphere: daylight time spans the new year.
        return instant >= ends && instant < begins ? standard : daylight
    }

    init?(_ text: String) {
        var scanner = PosixScanner(Array(text.utf8))
        guard scanner.name(), let standardWest = scanner.offset() else { return nil }
        standard = -standardWest
        guard !scanner.atEnd else {
            daylight = nil
            start = nil
            end = nil
            return
        }
        guard scanner.name() else { return nil }
        if scanner.peek == UInt8(ascii: ",") || scanner.atEnd {
            daylight = standard + 3600
        } else {
            guard let west = scanner.offset() else { return nil }
            daylight = -west
        }
        // A daylight name without a rule: POSIX's default (the US rule), which tzdata never relies on.
        guard scanner.take(UInt8(ascii: ",")) else {
            guard scanner.atEnd else { return nil }
            start = Transition(day: .month(3, week: 2, weekday: 0), time: 7200)
            end = Transition(day: .month(11, week: 1, weekday: 0), time: 7200)
            return
        }
        guard let start = scanner.transition(), scanner.take(UInt8(ascii: ",")), let end = scanner.transition(), scanner.atEnd else { return nil }
        self.start = start
        self.end = end
    }
}

/// Reads the pieces of a POSIX TZ string in order.
private struct PosixScanner {
    let bytes: [UInt8]
    var at = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { at == bytes.count }
    var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        at += 1
        return true
    }

    /// `EST` (three or more letters) or `<+03>`.
    mutating func name() -> Bool {
        if take(UInt8(ascii: "<")) {
            guard let close = bytes[at...].firstIndex(of: UInt8(ascii: ">")), close > at else { return false }
            at = close + 1
            return true
        }
        let start = at
        while let b = peek, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) { at += 1 }
        return at - start >= 3
    }

    mutating func number() -> Int64? {
        let start = at
        var value: Int64 = 0
        while let b = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b), at - start < 4 {
            value = value * 10 + Int64(b - UInt8(ascii: "0"))
            at += 1
        }
        return at > start ? value : nil
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, hours up to 167.
    mutating func offset() -> Int64? {
        var sign: Int64 = 1
        if take(UInt8(ascii: "-")) { sign = -1 } else { _ = take(UInt8(ascii: "+")) }
        guard let hours = number(), hours <= 167 else { return nil }
        var seconds = hours * 3600
        if take(UInt8(ascii: ":")) {
            guard let minutes = number(), minutes < 60 else { return nil }
            seconds += minutes * 60
            if take(UInt8(ascii: ":")) {
                guard let s = number(), s < 60 else { return nil }
                seconds += s
            }
        }
        return sign * seconds
    }

    mutating func transition() -> PosixRule.Transition? {
        let day: PosixRule.Transition.Day
        if take(UInt8(ascii: "J")) {
            guard let n = number(), (1...365).contains(n) else { return nil }
            day = .julian(n)
        } else if take(UInt8(ascii: "M")) {
            guard let m = number(), (1...12).contains(m), take(UInt8(ascii: ".")), let w = number(), (1...5).contains(w),
                take(UInt8(ascii: ".")), let d = number(), (0...6).contains(d)
            else { return nil }
            day = .month(m, week: w, weekday: d)
        } else {
            guard let n = number(), (0...365).contains(n) else { return nil }
            day = .zeroBased(n)
        }
        var time: Int64 = 7200
        if take(UInt8(ascii: "/")) {
            guard let t = offset() else { return nil }
            time = t
        }
        return PosixRule.Transition(day: day, time: time)
    }
}

/// Reads a TZif file's big-endian fields in order.
private struct TZifReader {
    struct Header {
        let version: Int
        let utcCount: Int, standardCount: Int, leapCount: Int, timeCount: Int, typeCount: Int, charCount: Int

        func blockLength(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4) + standardCount + utcCount
        }
    }

    let bytes: [UInt8]
    var at = 0

    mutating func header() -> Header? {
        guard at + 44 <= bytes.count, Array(bytes[at..<at + 4]) == Array("TZif".utf8) else { return nil }
        let versionByte = bytes[at + 4]
        let version = versionByte == 0 ? 1 : Int(versionByte) - Int(UInt8(ascii: "0"))
        guard (1...9).contains(version) else { return nil }
        at += 20
        var counts: [Int] = []
        for _ in 0..<6 {
            guard let n = int32(), n >= 0, n < 1 << 20 else { return nil }
            counts.append(Int(n))
        }
        return Header(
            version: version, utcCount: counts[0], standardCount: counts[1], leapCount: counts[2], timeCount: counts[3], typeCount: counts[4],
            charCount: counts[5])
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, at + count <= bytes.count else { return false }
        at += count
        return true
    }

    mutating func byte() -> UInt8? {
        guard at < bytes.count else { return nil }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func int32() -> Int32? {
        guard at + 4 <= bytes.count else { return nil }
        defer { at += 4 }
        return Int32(bitPattern: bytes[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) })
    }

    mutating func int64() -> Int64? {
        guard at + 8 <= bytes.count else { return nil }
        defer { at += 8 }
        return Int64(bitPattern: bytes[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// The footer between two newlines after the version 2+ data.
    mutating func footer() -> String? {
        guard byte() == UInt8(ascii: "\n"), let close = bytes[at...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        defer { at = close + 1 }
        return String(decoding: bytes[at..<close], as: UTF8.self)
    }
}
