/// The text of iCalendar (RFC 5545 §3.1, §3.3.11) and vCard (RFC 2425 §5.8.1, RFC 2426 §4)
/// content lines, declared once for the calendar feeds and the staff address books: text
/// values escaped, lines longer than 75 octets folded.
public enum ContentLine {
    /// Backslash, semicolon, comma and line breaks escaped; other control characters,
    /// which TEXT may not hold, left out.
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": continue
            default:
                if let ascii = c.asciiValue, ascii < 32 { continue }
                out.append(c)
            }
        }
        return out
    }

    /// A line longer than 75 octets goes on as continuation lines starting with a space,
    /// never splitting a character.
    public static func folded(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var out = ""
        var width = 0
        for c in line {
            let n = String(c).utf8.count
            if width + n > 75 {
                out += "\r\n "
                width = 1
            }
            out.append(c)
            width += n
        }
        return out
    }
}
