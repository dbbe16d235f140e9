/// The one form of a text typed or pasted differently (C1, C2): the key phones, emails
/// and addresses are matched by.
///
/// It is Unicode NFC after the compatibility folds people's keyboards and clipboards
/// bring: fullwidth ASCII (an IME's `ａｎｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ`), the other
/// spaces (no-break, thin, ideographic), Latin ligatures (`ﬁ` from a PDF), superscript
/// and subscript digits, `№` and the dot leaders. For those characters it is exactly
/// NFKC (a test holds it to Foundation's); invisible format characters (category Cf:
/// zero-width space and joiners, BOM, soft hyphen) are dropped first.
///
/// Not Foundation's `precomposedStringWithCompatibilityMapping`: that needs ICU, and a
/// service that loads ICU for it carries ~20 MB more at idle (issue 30). NFKC's other
/// folds (circled numbers, Roman numerals, Arabic presentation forms) are left as typed.
public enum TextForm {
    public static func canonical(_ raw: String) -> String {
        if raw.utf8.allSatisfy({ $0 < 0x80 }) { return raw }
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars where scalar.properties.generalCategory != .format {
            if let folded = fold(scalar) {
                scalars.append(contentsOf: folded.unicodeScalars)
            } else {
                scalars.append(scalar)
            }
        }
        // The standard library composes canonically (NFC) with its own Unicode tables.
        return String(decoding: String(scalars)._nfcCodeUnits, as: UTF8.self)
    }

    /// NFKC's compatibility mapping of `scalar`, for the characters this form folds.
    static func fold(_ scalar: Unicode.Scalar) -> String? {
        let v = scalar.value
        switch v {
        case 0xFF01...0xFF5E: return String(Unicode.Scalar(v - 0xFEE0)!)
        case 0x00A0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return " "
        case 0xFB00: return "ff"
        case 0xFB01: return "fi"
        case 0xFB02: return "fl"
        case 0xFB03: return "ffi"
        case 0xFB04: return "ffl"
        case 0xFB05, 0xFB06: return "st"
        case 0x00B9: return "1"
        case 0x00B2: return "2"
        case 0x00B3: return "3"
        case 0x2070: return "0"
        case 0x2074...0x2079: return String(v - 0x2070)
        case 0x2080...0x2089: return String(v - 0x2080)
        case 0x2116: return "No"
        case 0x2024: return "."
        case 0x2025: return ".."
        case 0x2026: return "..."
        default: return nil
        }
    }

    /// Every scalar ``fold(_:)`` maps (all in the Basic Multilingual Plane), for the test
    /// that holds them to NFKC.
    public static var foldedScalars: [Unicode.Scalar] {
        (0...0xFFFF).compactMap(Unicode.Scalar.init(_:) as (UInt32) -> Unicode.Scalar?).filter { fold($0) != nil }
    }
}
