import JSON
import Wire

/// A request body as one JSON object, read strictly (``JSONParser``).
enum RequestBody {
    static func object(_ body: [UInt8]) throws(RPCError) -> JSONObject {
        guard !body.isEmpty else { throw .invalidArgument("the request body is empty; send a JSON object") }
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONParser.parse(body)
        } catch {
            throw .invalidArgument("the request body is not valid JSON: \(error)")
        }
        guard case let .object(object) = value else {
            throw .invalidArgument("the request body must be a JSON object, not \(value.kindDescription)")
        }
        return object
    }
}
