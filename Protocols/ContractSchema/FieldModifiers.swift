/// The REST face of a field, written next to its declaration:
/// `Field(9, "responsibleID", .optional(.int64)).minimum(1).nullable()`.
extension Field {
    /// Shown in answers, refused in requests.
    public func readOnly() -> Field { json { $0.exposure = .readOnly } }
    /// Never in JSON.
    public func hidden() -> Field { json { $0.exposure = .hidden } }
    /// In requests only: never answered back (secrets).
    public func writeOnly() -> Field { json { $0.exposure = .writeOnly } }
    public func named(_ name: String) -> Field { json { $0.name = name } }
    /// Milliseconds since 1970 shown as an RFC 3339 time.
    public func timestamp() -> Field { json { $0.form = .timestamp } }
    /// Custom fields shown as one object of string values.
    public func nameValue(maxItems: Int, maxValueLength: Int) -> Field {
        json {
            $0.form = .nameValueObject
            $0.maxItems = maxItems
            $0.maxLength = maxValueLength
        }
    }
    public func required() -> Field { json { $0.required = true } }
    public func nullable(sets statement: String? = nil) -> Field {
        json {
            $0.nullable = true
            $0.nullSets = statement
        }
    }
    public func whenPresent(_ statement: String) -> Field { json { $0.presenceSets = statement } }
    public func inline() -> Field { json { $0.inline = true } }
    /// Set when the message is created, never by a patch (``JSONFace/setOnCreate``).
    public func setOnCreate() -> Field { json { $0.setOnCreate = true } }
    /// This message field is a patch: its patchable fields inline in JSON, the names
    /// sent listed in `mask` (``JSONFace/patchMask``).
    public func patch(mask: String) -> Field { json { $0.patchMask = mask } }
    public func omitEmpty() -> Field { json { $0.omitEmpty = true } }
    public func allowed(_ names: String...) -> Field { json { $0.allowed = names } }
    public func minimum(_ value: Int64) -> Field { json { $0.minimum = value } }
    public func maximum(_ value: Int64) -> Field { json { $0.maximum = value } }
    /// Lengths in Unicode code points (as JSON Schema counts them).
    public func length(max: Int, min: Int? = nil) -> Field {
        json {
            $0.maxLength = max
            $0.minLength = min
        }
    }
    public func items(max: Int) -> Field { json { $0.maxItems = max } }
    public func items(min: Int, max: Int) -> Field { json { $0.minItems = min; $0.maxItems = max } }
    /// Three capital letters (ISO 4217), when sent at all.
    public func currencyCode() -> Field { json { $0.rule = .currencyCode } }
    /// Two capital letters (ISO 3166-1 alpha-2).
    public func countryCode() -> Field { json { $0.rule = .countryCode } }
    /// ASCII digits only.
    public func digits() -> Field { json { $0.rule = .digits } }
    /// Not empty and not only white space.
    public func nonBlank() -> Field { json { $0.rule = .nonBlank } }
    /// Lower-case letters, digits and inner hyphens (a name in a URL path).
    public func slug() -> Field { json { $0.rule = .slug } }
    /// A calendar date written YYYY-MM-DD.
    public func date() -> Field { json { $0.rule = .date } }
    /// YYYY-MM.
    public func month() -> Field { json { $0.rule = .month } }
    /// One line: no control characters or line separators (may be empty).
    public func line() -> Field { json { $0.rule = .line } }
    /// A name: one line, not only white space.
    public func oneLineName() -> Field { json { $0.rule = .name } }
    /// JSON Schema keywords for this field's input schema, as JSON (an object's members).
    public func inputSchema(_ json: String) -> Field { self.json { $0.inputSchemaExtra = json } }
    public func describe(_ text: String) -> Field { json { $0.description = text } }
}
