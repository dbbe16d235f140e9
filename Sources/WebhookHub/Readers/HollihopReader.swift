import Contracts
import Foundation
import Sockets

/// G7: a Hollihop school (a language school's timetable, seed 000) read through its API
/// (`<school>/Api/V2/<Method>?authkey=...`, paged by `take`/`skip`) as import rows: each
/// student (`GetStudents`) a contact, tagged with the groups they study in (`GetEdUnits`,
/// `GetEdUnitStudents`: `group: <name>`), their status and discipline as custom fields.
/// Groups and lessons themselves are scheduling's and are set up there.
public struct HollihopReader {
    public static let pageSize = 1000
    public static let requestsPerSecond = 5

    let pages: ProviderPages
    let authKey: String

    public init(baseURL: String, authKey: String, outbound: OutboundPolicy, perSecond: Int = Self.requestsPerSecond) {
        pages = ProviderPages(baseURL: baseURL, headers: [:], outbound: outbound, perSecond: perSecond)
        self.authKey = authKey
    }

    public func read(into write: (ImportRow) throws -> Void) async throws {
        var groups: [Int: (name: String, discipline: String)] = [:]
        try await each("GetEdUnits", "EdUnits") { unit in
            if let id = unit["Id"] as? Int { groups[id] = (unit["Name"] as? String ?? "group \(id)", unit["Discipline"] as? String ?? "") }
        }
        var membership: [Int: [Int]] = [:]
        try await each("GetEdUnitStudents", "EdUnitStudents") { link in
            if let student = link["StudentClientId"] as? Int, let unit = link["EdUnitId"] as? Int { membership[student, default: []].append(unit) }
        }
        try await each("GetStudents", "Students") { student in
            guard let id = student["ClientId"] as? Int else { return }
            var contact = ImportedContact(externalID: "\(id)", firstName: student["FirstName"] as? String ?? "", lastName: student["LastName"] as? String ?? "")
            contact.phones = ["Mobile", "Phone"].compactMap { (student[$0] as? String)?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let email = (student["EMail"] as? String)?.trimmingCharacters(in: .whitespaces), !email.isEmpty { contact.emails = [email] }
            let units = (membership[id] ?? []).compactMap { groups[$0] }
            contact.tags = Array((["hollihop"] + units.map { String("group: \($0.name)".prefix(100)) }).prefix(50))
            var fields: [CustomField] = []
            if let status = student["Status"] as? String, !status.isEmpty { fields.append(CustomField(name: "Hollihop status", value: status)) }
            let disciplines = Set(units.map(\.discipline).filter { !$0.isEmpty }).sorted()
            if !disciplines.isEmpty { fields.append(CustomField(name: "Discipline", value: disciplines.joined(separator: ", "))) }
            contact.customFields = fields
            contact.channel = "hollihop"
            try write(ImportRow(contact: contact))
        }
    }

    func each(_ method: String, _ key: String, _ body: ([String: Any]) throws -> Void) async throws {
        var skip = 0
        while true {
            let query = [("authkey", authKey), ("take", "\(Self.pageSize)"), ("skip", "\(skip)")]
            guard let answer = try await pages.json("/Api/V2/\(method)", query: query) else { return }
            let items = answer[key] as? [[String: Any]] ?? []
            for item in items { try body(item) }
            guard items.count == Self.pageSize else { return }
            skip += items.count
        }
    }
}
