import Foundation

/// The OpenAPI 3.1 components of the REST messages: `<Name>` for an answer, `<Name>Input`
/// for a request body (only the fields a caller may send, `additionalProperties: false`,
/// every constraint the gateway checks), and one parameter per query field. The gateway
/// serves them in /v1/openapi.json next to the routes that name them.
public struct OpenAPIComponentWriter {
    let messages: [String: Message]
    let enumerations: [String: Enumeration]
    let order: [Message]

    public init(files: [ContractFile]) {
        let index = SchemaIndex(files)
        messages = index.messages
        enumerations = index.enumerations
        order = files.flatMap(\.messages).filter { !$0.rest.isEmpty }
    }

    /// Strings never hold NUL (the gateway refuses it): stated so generated requests agree.
    static let noNUL = "^[^\\u0000]*$"
    static var int64: [String: Any] { ["type": "integer", "format": "int64"] }

    func name(_ f: Field) -> String { f.json.name(for: f.name) }

    public func components() -> (schemas: [String: Any], parameters: [String: Any]) {
        var schemas: [String: Any] = [:]
        var parameters: [String: Any] = [:]
        for m in order {
            let restName = JSONCodeWriter.restName(m)
            if m.rest.contains(.output) { schemas[restName] = output(m) }
            if m.rest.contains(.input) { schemas[restName + "Input"] = input(m) }
            if m.rest.contains(.query) {
                for f in m.fields where f.json.exposure == .readWrite {
                    var p: [String: Any] = ["name": name(f), "in": "query", "required": f.json.required, "schema": scalarInput(f, f.type.isOptional ? f.type.base : f.type)]
                    if let d = f.json.description ?? f.doc { p["description"] = d }
                    parameters["\(restName).\(name(f))"] = p
                }
            }
        }
        return (schemas, parameters)
    }

    /// The components as JSON text with sorted keys, for the generated file.
    public func json() throws -> String {
        let (schemas, parameters) = components()
        let data = try JSONSerialization.data(withJSONObject: ["schemas": schemas, "parameters": parameters], options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    func described(_ schema: [String: Any], _ f: Field) -> [String: Any] {
        guard let d = f.json.description ?? f.doc, schema["$ref"] == nil else { return schema }
        var s = schema
        s["description"] = d
        return s
    }

    // MARK: Answers

    func output(_ m: Message) -> [String: Any] {
        var properties: [String: Any] = [:]
        var required: [String] = []
        for f in m.fields where f.json.exposure.isOutput {
            properties[name(f)] = described(outputType(f), f)
            if !f.json.omitEmpty { required.append(name(f)) }
        }
        var schema: [String: Any] = ["type": "object", "properties": properties, "required": required.sorted()]
        if let doc = m.doc { schema["description"] = doc }
        return schema
    }

    func outputType(_ f: Field) -> [String: Any] {
        switch f.type {
        case let .optional(inner):
            let base = outputBase(inner, f)
            if f.json.omitEmpty { return base }
            if base["$ref"] != nil { return ["anyOf": [base, ["type": "null"]]] }
            var nullable = base
            nullable["type"] = [base["type"] ?? "string", "null"]
            return nullable
        default:
            return outputBase(f.type, f)
        }
    }

    func outputBase(_ type: FieldType, _ f: Field) -> [String: Any] {
        switch type {
        case .string: return ["type": "string"]
        case .int64: return f.json.form == .timestamp ? ["type": "string", "format": "date-time"] : Self.int64
        case .bool: return ["type": "boolean"]
        case .double: return ["type": "number"]
        case let .enumeration(name): return ["type": "string", "enum": enumerations[name]?.cases.map(\.apiName) ?? []]
        case let .message(name): return ref(messages[name].map { JSONCodeWriter.restName($0) } ?? name)
        case .repeated where f.json.form == .nameValueObject:
            return ["type": "object", "additionalProperties": ["type": "string"]]
        case let .repeated(inner): return ["type": "array", "items": outputBase(inner, f)]
        default: return [:]
        }
    }

    // MARK: Request bodies

    func input(_ m: Message) -> [String: Any] {
        var properties: [String: Any] = [:]
        var required: [String] = []
        collectInput(m, &properties, &required)
        var schema: [String: Any] = ["type": "object", "properties": properties, "additionalProperties": false]
        if !required.isEmpty { schema["required"] = required.sorted() }
        if let doc = m.doc { schema["description"] = doc }
        return schema
    }

    func collectInput(_ m: Message, _ properties: inout [String: Any], _ required: inout [String]) {
        for f in m.fields where f.json.exposure.isInput {
            if f.json.patchMask != nil, case let .message(inner) = f.type, let nested = messages[inner] {
                // Every patchable field may be left out, and an optional one sent as null to clear it.
                var unused: [String] = []
                collectInput(Message(nested.name, rest: nested.rest) { nested.patchableFields }, &properties, &unused)
                continue
            }
            if f.json.inline, case let .message(inner) = f.type, let nested = messages[inner] {
                collectInput(nested, &properties, &required)
                continue
            }
            var schema = inputType(f)
            if f.json.nullable {
                if schema["$ref"] != nil {
                    schema = ["anyOf": [schema, ["type": "null"]]]
                } else {
                    schema["type"] = [schema["type"] ?? "string", "null"]
                }
            }
            if let extra = f.json.inputSchemaExtra,
                let more = try? JSONSerialization.jsonObject(with: Data(extra.utf8)) as? [String: Any]
            {
                schema.merge(more) { _, new in new }
            }
            if f.json.exposure == .writeOnly { schema["writeOnly"] = true }
            properties[name(f)] = described(schema, f)
            if f.json.required { required.append(name(f)) }
        }
    }

    func inputType(_ f: Field) -> [String: Any] {
        let type = f.type.isOptional ? f.type.base : f.type
        switch type {
        case let .message(name): return ref((messages[name].map { JSONCodeWriter.restName($0) } ?? name) + "Input")
        case .repeated where f.json.form == .nameValueObject:
            var values: [String: Any] = ["type": "string", "pattern": Self.noNUL]
            if let max = f.json.maxLength { values["maxLength"] = max }
            var o: [String: Any] = ["type": "object", "propertyNames": ["minLength": 1, "maxLength": 200, "pattern": Self.noNUL], "additionalProperties": values]
            if let max = f.json.maxItems { o["maxProperties"] = max }
            return o
        case let .repeated(.message(name)):
            var a: [String: Any] = ["type": "array", "items": ref((messages[name].map { JSONCodeWriter.restName($0) } ?? name) + "Input")]
            if let max = f.json.maxItems { a["maxItems"] = max }
            if let min = f.json.minItems { a["minItems"] = min }
            return a
        case let .repeated(inner):
            var a: [String: Any] = ["type": "array", "items": scalarInput(f, inner)]
            if let max = f.json.maxItems { a["maxItems"] = max }
            return a
        default:
            return scalarInput(f, type)
        }
    }

    /// A string, number, boolean or enum with the constraints the gateway checks.
    func scalarInput(_ f: Field, _ type: FieldType) -> [String: Any] {
        switch type {
        case .string:
            var s: [String: Any] = ["type": "string", "pattern": f.json.rule?.pattern ?? Self.noNUL]
            if f.json.rule == .date { s["format"] = "date" }
            if let choices = f.json.rule?.choices { s["enum"] = choices }
            if let v = f.json.minLength { s["minLength"] = v }
            if let v = f.json.maxLength { s["maxLength"] = v }
            return s
        case .int64:
            if f.json.form == .timestamp { return ["type": "string", "format": "date-time"] }
            var s = Self.int64
            if let v = f.json.minimum { s["minimum"] = v }
            if let v = f.json.maximum { s["maximum"] = v }
            return s
        case .bool: return ["type": "boolean"]
        case let .enumeration(name):
            let cases = enumerations[name]?.cases ?? []
            let allowed = f.json.allowed ?? cases.filter { $0.number != 0 }.map(\.apiName)
            return ["type": "string", "enum": allowed]
        default: return [:]
        }
    }
}
