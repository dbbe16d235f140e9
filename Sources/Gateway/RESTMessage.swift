import Contracts
import JSON
import Wire

/// A contract message written in answers, as generated in Gateway/Generated from the
/// schema; `openAPIOutputSchema` names its component in /v1/openapi.json.
protocol RESTOutput: JSONWritable {
    static var openAPIOutputSchema: String { get }
}

/// A contract message read from a request body (generated).
protocol RESTInput {
    static var openAPIInputSchema: String { get }
    /// The JSON names it takes, and those the server sets (refused with their own reason).
    static var jsonFields: Set<String> { get }
    static var jsonReadOnlyFields: Set<String> { get }
    init(jsonFields r: inout JSONFieldReader)
}

extension RESTInput {
    /// Reads a whole body object: every field it takes, and a violation for each it does not.
    init(json object: JSONObject) throws(RPCError) {
        var r = JSONFieldReader(object)
        self.init(jsonFields: &r)
        r.refuseUnknown(Self.jsonFields, readOnly: Self.jsonReadOnlyFields)
        if let error = r.failure() { throw error }
    }
}

/// A contract message read from a query string (generated).
protocol RESTQuery {
    /// Its parameters' names in the OpenAPI components (`ListDealsRequest.limit`).
    static var queryParameters: [String] { get }
    init(query q: inout QueryReader)
}

extension RESTQuery {
    init(query: [String: String]) throws(RPCError) {
        var q = QueryReader(query)
        self.init(query: &q)
        if let error = q.failure() { throw error }
    }
}

extension JSONFieldReader {
    /// A nested object read as `M`, its fields reported under `key.`.
    mutating func message<M: RESTInput>(_ key: String, _ type: M.Type) -> M? {
        guard let o = object(key) else { return nil }
        var inner = JSONFieldReader(o, path: path + key + ".")
        let value = M(jsonFields: &inner)
        inner.refuseUnknown(M.jsonFields, readOnly: M.jsonReadOnlyFields)
        violations += inner.violations
        return inner.violations.isEmpty ? value : nil
    }

    /// An array of objects read as `M`, each reported under `key[i].`.
    mutating func messages<M: RESTInput>(_ key: String, _ type: M.Type, maxItems: Int? = nil, minItems: Int? = nil) -> [M]? {
        guard let items = objects(key, maxItems: maxItems, minItems: minItems) else { return nil }
        var out: [M] = []
        let before = violations.count
        for (o, itemPath) in items {
            var inner = JSONFieldReader(o, path: itemPath)
            out.append(M(jsonFields: &inner))
            inner.refuseUnknown(M.jsonFields, readOnly: M.jsonReadOnlyFields)
            violations += inner.violations
        }
        return violations.count == before ? out : nil
    }
}

extension JSONOutput {
    /// Custom fields as one object, names in bytewise order, the first of a repeated name.
    mutating func nameValues(_ fields: [CustomField]) {
        beginObject()
        var seen = Set<String>()
        for field in fields.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) where seen.insert(field.name).inserted {
            key(dynamic: field.name)
            string(field.value)
        }
        endObject()
    }
}
