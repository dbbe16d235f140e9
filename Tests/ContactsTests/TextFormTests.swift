import Contracts
import Foundation
import Testing

/// C1/C2's one form of a typed text, held to Foundation's NFKC and trimming where it
/// claims to be them (the services compute it without Foundation, issue 30).
struct TextFormTests {
    @Test func c1EveryFoldedCharacterIsWhatNFKCMakesOfIt() {
        for scalar in TextForm.foldedScalars {
            let text = "a\(scalar)b"
            #expect(TextForm.canonical(text) == text.precomposedStringWithCompatibilityMapping, "U+\(String(scalar.value, radix: 16))")
        }
        #expect(TextForm.foldedScalars.count > 120)
    }

    @Test func c1TextsPeopleTypeTakeTheSameFormAsNFKC() {
        let texts = [
            "anna@example.com", "une\u{301}@example.com", "Ёлка ёж й и\u{306}", "ул. Ленина, д. 5, кв. №3",
            "ａｎｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ", "＋７ ９１６ １２３-４５-６７", "8\u{a0}916\u{2009}555\u{202f}70\u{3000}01",
            "Zoë Ångström", "ﬁnance@ﬂowers.ru", "m²", "Å\u{30a}", "ç\u{327}", "한국어", "日本語のテキスト", "",
        ]
        for text in texts {
            #expect(TextForm.canonical(text) == text.precomposedStringWithCompatibilityMapping, "\(text)")
        }
    }

    @Test func c1InvisibleFormatCharactersAreDropped() {
        #expect(TextForm.canonical("\u{feff}an\u{200b}na\u{ad}@exa\u{200d}mple.com") == "anna@example.com")
    }

    @Test func c1TrimmingIsFoundationsWhitespaceAndNewlines() {
        let blanks = ["", " ", "\t", "\n", "\r\n", "\u{a0}", "\u{2009}", "\u{3000}", "\u{2028}", "\u{85}", "\u{b}", "\u{c}"]
        for left in blanks {
            for right in blanks {
                let text = left + "Анна  Ли" + right
                #expect(text.trimming(.spaces) == text.trimmingCharacters(in: .whitespaces), "\(text.unicodeScalars.map(\.value))")
                #expect(text.trimming(.spacesAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        #expect("  \t ".trimming(.spaces) == "")
    }
}
