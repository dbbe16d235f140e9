import Contracts
import Foundation
import Wire

/// Translates between the REST gateway's JSON and the contacts contract. Wrong JSON
/// types are field-level errors, reported all at once with the field's path.
public enum ContactJSON {
    /// A contact as the API shows it, written straight to JSON (keys in bytewise order):
    /// the response the gateway sends most.
    public static func object(_ c: Contact) -> RawJSON {
        var o = JSONObjectWriter()
        o.field("company", c.company)
        o.field("createdAt", timestamp(c.createdAtMilliseconds))
        var fields = JSONObjectWriter()
        var seen = Set<String>()
        for field in c.customFields.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) where seen.insert(field.name).inserted {
            fields.field(field.name, field.value)
        }
        o.field("customFields", fields.finish())
        o.field("deleted", c.deleted)
        o.field("emails", c.emails)
        o.field("firstName", c.firstName)
        o.field("id", c.id)
        o.field("lastName", c.lastName)
        if let m = c.mergedInto { o.field("mergedInto", m) }
        o.field("phones", objects: c.phones.map { p in
            var phone = JSONObjectWriter()
            if !p.extension.isEmpty { phone.field("extension", p.extension) }
            phone.field("number", p.number)
            return phone.finish()
        })
        if let r = c.responsibleID { o.field("responsibleId", r) }
        if let s = c.source {
            var source = JSONObjectWriter()
            source.field("channel", s.channel)
            source.field("trackingNumber", s.trackingNumber)
            source.field("utmCampaign", s.utmCampaign)
            source.field("utmMedium", s.utmMedium)
            source.field("utmSource", s.utmSource)
            o.field("source", source.finish())
        }
        o.field("tags", c.tags)
        o.field("updatedAt", timestamp(c.updatedAtMilliseconds))
        return o.finish()
    }

    public static func timestamp(_ milliseconds: Int64) -> String {
        JSONWriter.timestamp(milliseconds: milliseconds)
    }

    /// Reads a JSON body into an object; the error names what is wrong.
    public static func parseObject(_ body: [UInt8]) -> Result<[String: Any], RPCError> {
        guard !body.isEmpty else { return .failure(.invalidArgument("the request body is empty; send a JSON object")) }
        guard let value = try? JSONSerialization.jsonObject(with: Data(body)) else {
            return .failure(.invalidArgument("the request body is not valid JSON"))
        }
        guard let object = value as? [String: Any] else { return .failure(.invalidArgument("the request body must be a JSON object")) }
        return .success(object)
    }

    /// Collects type errors while reading fields of one object.
    struct Reader {
        let object: [String: Any]
        var violations: [FieldViolation] = []

        mutating func string(_ key: String) -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let text = value as? String else {
                violations.append(FieldViolation(field: key, description: "must be a string"))
                return nil
            }
            return text
        }

        mutating func strings(_ key: String) -> [String]? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let list = value as? [Any], list.allSatisfy({ $0 is String }) else {
                violations.append(FieldViolation(field: key, description: "must be an array of strings"))
                return nil
            }
            return list.map { $0 as! String }
        }

        mutating func integer(_ key: String) -> Int64? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            if !Self.isBoolean(value) {
                if let int = value as? Int { return Int64(int) }
                if let double = value as? Double, let exact = Int64(exactly: double) { return exact }
            }
            violations.append(FieldViolation(field: key, description: "must be a whole number"))
            return nil
        }

        /// JSON true/false. On Linux `1 is Bool` holds for a parsed number too, so the
        /// number's own type decides.
        static func isBoolean(_ value: Any) -> Bool {
            guard let number = value as? NSNumber else { return value is Bool }
            return String(cString: number.objCType) == "c"
        }

        mutating func bool(_ key: String) -> Bool? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard Self.isBoolean(value), let flag = value as? Bool else {
                violations.append(FieldViolation(field: key, description: "must be true or false"))
                return nil
            }
            return flag
        }

        mutating func source(_ key: String) -> ContactSource? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let o = value as? [String: Any] else {
                violations.append(FieldViolation(field: key, description: "must be an object"))
                return nil
            }
            var inner = Reader(object: o)
            let source = ContactSource(
                channel: inner.string("channel") ?? "", trackingNumber: inner.string("trackingNumber") ?? "",
                utmSource: inner.string("utmSource") ?? "", utmMedium: inner.string("utmMedium") ?? "",
                utmCampaign: inner.string("utmCampaign") ?? "")
            violations += inner.violations.map { FieldViolation(field: "\(key).\($0.field)", description: $0.description) }
            return source
        }

        mutating func customFields(_ key: String) -> [CustomField]? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let o = value as? [String: Any], o.values.allSatisfy({ $0 is String }) else {
                violations.append(FieldViolation(field: key, description: "must be an object of string values"))
                return nil
            }
            return o.keys.sorted().map { CustomField(name: $0, value: o[$0] as! String) }
        }

        func failure() -> RPCError? {
            violations.isEmpty ? nil : .invalidArgument("the request has \(violations.count) invalid field(s)", details: violations)
        }
    }

    public static func draft(_ object: [String: Any]) -> Result<(ContactDraft, requireNameMatch: Bool), RPCError> {
        var r = Reader(object: object)
        var d = ContactDraft()
        d.firstName = r.string("firstName") ?? ""
        d.lastName = r.string("lastName") ?? ""
        d.emails = r.strings("emails") ?? []
        d.phones = r.strings("phones") ?? []
        d.company = r.string("company") ?? ""
        d.tags = r.strings("tags") ?? []
        d.source = r.source("source")
        d.responsibleID = r.integer("responsibleId")
        d.customFields = r.customFields("customFields") ?? []
        let requireName = r.bool("requireNameMatch") ?? false
        if let error = r.failure() { return .failure(error) }
        return .success((d, requireName))
    }

    public static func update(id: Int64, _ object: [String: Any]) -> Result<UpdateContactRequest, RPCError> {
        var r = Reader(object: object)
        var u = UpdateContactRequest()
        u.id = id
        u.firstName = r.string("firstName")
        u.lastName = r.string("lastName")
        u.company = r.string("company")
        u.responsibleID = r.integer("responsibleId")
        u.source = r.source("source")
        if let emails = r.strings("emails") { u.replaceEmails = true; u.emails = emails }
        if let phones = r.strings("phones") { u.replacePhones = true; u.phones = phones }
        if let tags = r.strings("tags") { u.replaceTags = true; u.tags = tags }
        if let fields = r.customFields("customFields") { u.replaceCustomFields = true; u.customFields = fields }
        let known: Set = ["firstName", "lastName", "company", "responsibleId", "source", "emails", "phones", "tags", "customFields"]
        for key in object.keys.sorted() where !known.contains(key) {
            r.violations.append(FieldViolation(field: key, description: "is not a field that can be changed"))
        }
        if let error = r.failure() { return .failure(error) }
        return .success(u)
    }
}
