import Contracts
import Foundation
import JSON
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

    /// Reads a JSON body into an object; the error names what is wrong and where.
    public static func parseObject(_ body: [UInt8]) -> Result<JSONObject, RPCError> {
        guard !body.isEmpty else { return .failure(.invalidArgument("the request body is empty; send a JSON object")) }
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONParser.parse(body)
        } catch {
            return .failure(.invalidArgument("the request body is not valid JSON: \(error)"))
        }
        guard case let .object(object) = value else {
            return .failure(.invalidArgument("the request body must be a JSON object, not \(value.kindDescription)"))
        }
        return .success(object)
    }

    static let draftFields: Set = ["firstName", "lastName", "emails", "phones", "company", "tags", "source", "responsibleId", "customFields", "requireNameMatch"]

    public static func draft(_ object: JSONObject) -> Result<(ContactDraft, requireNameMatch: Bool), RPCError> {
        var r = JSONFieldReader(object)
        var d = ContactDraft()
        d.firstName = r.string("firstName") ?? ""
        d.lastName = r.string("lastName") ?? ""
        d.emails = r.strings("emails") ?? []
        d.phones = r.strings("phones") ?? []
        d.company = r.string("company") ?? ""
        d.tags = r.strings("tags") ?? []
        d.source = r.source("source")
        d.responsibleID = r.id("responsibleId")
        d.customFields = r.customFields("customFields") ?? []
        let requireName = r.bool("requireNameMatch") ?? false
        r.refuseUnknown(draftFields)
        if let error = r.failure() { return .failure(error) }
        return .success((d, requireName))
    }

    public static func update(id: Int64, _ object: JSONObject) -> Result<UpdateContactRequest, RPCError> {
        var r = JSONFieldReader(object)
        var u = UpdateContactRequest()
        u.id = id
        u.firstName = r.string("firstName")
        u.lastName = r.string("lastName")
        u.company = r.string("company")
        u.responsibleID = r.isNull("responsibleId") ? 0 : r.id("responsibleId")
        u.source = r.source("source")
        if let emails = r.strings("emails") { u.replaceEmails = true; u.emails = emails }
        if let phones = r.strings("phones") { u.replacePhones = true; u.phones = phones }
        if let tags = r.strings("tags") { u.replaceTags = true; u.tags = tags }
        if let fields = r.customFields("customFields") { u.replaceCustomFields = true; u.customFields = fields }
        r.refuseUnknown(["firstName", "lastName", "company", "responsibleId", "source", "emails", "phones", "tags", "customFields"], hint: " that can be changed")
        if let error = r.failure() { return .failure(error) }
        return .success(u)
    }
}
