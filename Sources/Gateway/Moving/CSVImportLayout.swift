import Contracts
import Foundation
import JSON
import Wire

/// G7: how a CSV file's columns make import rows of one kind. Its header names the row's
/// JSON fields (`externalId`, `firstName`, `emails`, ...), as the document's schema of that
/// kind has them: list fields hold their values separated by `;`, numbers are numbers,
/// `customFields.<name>` columns are custom fields, and a pipeline's `stages` are names
/// separated by `;`, each with `=won` or `=lost` for an outcome. Empty cells are left out.
/// The types come from the generated schema, so the CSV face follows the schema.
struct CSVImportLayout {
    enum Column {
        case text(String)
        case list(String)
        case number(String)
        case customField(String)
        case stages
        case ignored
    }

    let kindName: String
    let columns: [Column]

    /// The layout for `kind` from the header's fields; unknown column names are refused at once.
    init(kind: ImportKind, header: [String]) throws(RPCError) {
        let messages: [ImportKind: (String, String)] = [
            .staff: ("staff", "ImportedStaff"), .contact: ("contact", "ImportedContact"), .pipeline: ("pipeline", "ImportedPipeline"),
            .deal: ("deal", "ImportedDeal"), .task: ("task", "ImportedTask"), .note: ("note", "ImportedNote"), .activity: ("activity", "ImportedActivity"),
        ]
        guard let (name, message) = messages[kind] else {
            throw .invalidArgument("a CSV import names the kind of its rows", details: [FieldViolation(field: "kind", description: "is required for CSV")])
        }
        kindName = name
        let properties = Self.properties(of: message)
        var columns: [Column] = []
        var unknown: [FieldViolation] = []
        for (i, raw) in header.enumerated() {
            let title = raw.trimmingCharacters(in: .whitespaces)
            if title.hasPrefix("customFields."), properties["customFields"] != nil {
                columns.append(.customField(String(title.dropFirst("customFields.".count))))
            } else if title == "stages", kind == .pipeline {
                columns.append(.stages)
            } else if let type = properties[title] {
                columns.append(type == "array" ? .list(title) : type == "integer" ? .number(title) : .text(title))
            } else if title.isEmpty {
                columns.append(.ignored)
            } else {
                unknown.append(FieldViolation(field: "header[\(i)]", description: "\"\(title.prefix(100))\" is not a field of a \(name) row"))
            }
        }
        guard unknown.isEmpty else { throw .invalidArgument("the CSV header names fields a \(name) row does not have", details: unknown) }
        self.columns = columns
    }

    /// Each property's JSON type in the generated component of `message`.
    static func properties(of message: String) -> [String: String] {
        let schema = (components["schemas"] as? [String: Any])?[message] as? [String: Any]
        let properties = schema?["properties"] as? [String: Any] ?? [:]
        return properties.compactMapValues { value in
            guard let property = value as? [String: Any] else { return nil }
            if let type = property["type"] as? String { return type }
            return (property["type"] as? [Any])?.compactMap { $0 as? String }.first { $0 != "null" } ?? "string"
        }
    }

    nonisolated(unsafe) static let components: [String: Any] =
        (try? JSONParser.parse(Array(OpenAPIComponents.json.utf8)))?.plainValue as? [String: Any] ?? [:]

    /// The record as the JSON line an NDJSON file would have for it.
    func json(_ fields: [String]) -> [UInt8] {
        var out = JSONOutput()
        out.beginObject()
        out.key(dynamic: kindName)
        out.beginObject()
        var custom: [(String, String)] = []
        for (column, raw) in zip(columns, fields) {
            let value = raw.trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { continue }
            switch column {
            case let .text(name):
                out.key(dynamic: name)
                out.string(value)
            case let .list(name):
                out.key(dynamic: name)
                out.strings(value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            case let .number(name):
                out.key(dynamic: name)
                if let number = Int64(value) { out.int(number) } else { out.string(value) }
            case let .customField(name):
                custom.append((name, value))
            case .stages:
                out.key("stages")
                out.beginArray()
                for stage in value.split(separator: ";") {
                    let parts = stage.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    out.beginObject()
                    out.key("name")
                    out.string(parts[0])
                    if parts.count == 2 {
                        out.key("outcome")
                        out.string(parts[1])
                    }
                    out.endObject()
                }
                out.endArray()
            case .ignored:
                break
            }
        }
        if !custom.isEmpty {
            out.key("customFields")
            out.beginObject()
            for (name, value) in custom {
                out.key(dynamic: name)
                out.string(value)
            }
            out.endObject()
        }
        out.endObject()
        out.endObject()
        return out.bytes
    }

    /// RFC 4180: comma-separated fields, quoted ones with `""` for a quote.
    static func fields(_ record: [UInt8]) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var i = 0
        while i < record.count {
            let byte = record[i]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if i + 1 < record.count && record[i + 1] == UInt8(ascii: "\"") {
                        current.append(byte)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: current, as: UTF8.self))
                current = []
            } else {
                current.append(byte)
            }
            i += 1
        }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}
