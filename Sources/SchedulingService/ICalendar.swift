import Contracts
import FoundationEssentials
import Glibc

/// S3: a resource's appointments as an iCalendar document (RFC 5545) for the calendar app
/// of a phone: one VEVENT per appointment, times in UTC, text escaped (§3.3.11), lines
/// folded at 75 octets (§3.1), CRLF endings. A moved appointment keeps its UID and raises
/// SEQUENCE; a cancelled one stays with STATUS:CANCELLED so the phone removes it.
public enum ICalendar {
    public static func document(_ resource: Resource, _ appointments: [Appointment], now: Int64) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Switchboard//Scheduling//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:\(ContentLine.escaped(resource.name))", "X-WR-TIMEZONE:\(ContentLine.escaped(resource.timeZone))",
        ]
        for a in appointments {
            lines += [
                "BEGIN:VEVENT",
                "UID:appointment-\(a.id)@switchboard",
                "DTSTAMP:\(time(now))",
                "DTSTART:\(time(a.startMilliseconds))",
                "DTEND:\(time(a.endMilliseconds))",
                "SEQUENCE:\(a.history.count)",
                "STATUS:\(a.status == .cancelled ? "CANCELLED" : "CONFIRMED")",
                "SUMMARY:\(ContentLine.escaped("\(a.kind.name) (deal \(a.dealID))"))",
            ]
            if !a.address.isEmpty { lines.append("LOCATION:\(ContentLine.escaped(a.address))") }
            if !a.notes.isEmpty { lines.append("DESCRIPTION:\(ContentLine.escaped(a.notes))") }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(ContentLine.folded).joined(separator: "\r\n") + "\r\n"
    }

    /// `20261202T070000Z`.
    static func time(_ milliseconds: Int64) -> String {
        let seconds = CivilDate.floorDivide(milliseconds, 1000)
        let date = CivilDate(day: CivilDate.floorDivide(seconds, 86_400))
        let s = seconds - date.day * 86_400
        let (y, m, d) = date.parts
        return "\(y.zeroPadded(to: 4))\(m.zeroPadded(to: 2))\(d.zeroPadded(to: 2))T\((s / 3600).zeroPadded(to: 2))\((s % 3600 / 60).zeroPadded(to: 2))\((s % 60).zeroPadded(to: 2))Z"
    }
}
