/// Everything generated from the schema, by path from the package root: checked first
/// (``SchemaValidator``), so a reused field number never reaches the code.
public struct ContractGenerator {
    public let files: [ContractFile]

    public init(files: [ContractFile]) {
        self.files = files
    }

    public func outputs() throws(SchemaError) -> [String: String] {
        try SchemaValidator(files: files).validate()
        let swift = SwiftContractWriter(files: files)
        var out: [String: String] = [:]
        for file in files { out["Protocols/Contracts/\(file.name).swift"] = swift.source(of: file) }
        out["Tests/WireTests/ContractSamples.swift"] = SampleWriter(files: files).source()
        return out
    }
}
