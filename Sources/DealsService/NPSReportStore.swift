import Contracts
import Storage
import Wire

/// Issue 26 item 4 (000): NPS of the deals won in a period, grouped by pipeline,
/// responsible, product or any custom field, with the distribution of scores and the
/// comments. A score is the deal's `nps` field (the survey writes it, N6) and a comment
/// its `nps_comment`; only the deals the caller sees count (G3).
public enum NPSReportStore {
    static let commentsPerRow = 50

    static func report(_ c: Connection, _ request: NPSRequest) throws -> NPSReport {
        let (from, to) = try LeadReportStore.period(from: request.from, to: request.to)
        let field = request.field.trimming(.spaces)
        guard request.groupBy != .unspecified else {
            throw RPCError.invalidArgument("say what to group by", details: [FieldViolation(field: "groupBy", description: "must be pipeline, responsible, product or field")])
        }
        guard request.groupBy != .field || !field.isEmpty else {
            throw RPCError.invalidArgument("name the custom field to group by", details: [FieldViolation(field: "field", description: "is required with groupBy=field")])
        }
        let offset = try LeadReportStore.calendar(c).offsetMinutes * 60_000
        let visibility = request.visibility.resolved.sqlCondition("responsible_id")
        let pipelines = Dictionary(uniqueKeysWithValues: try PipelineStore.load(c).map { ($0.id, $0.name) })
        // The product of each deal's opening lead, read once (not a query per deal).
        let products = request.groupBy != .product ? [:] : Dictionary(try c.query(
            """
            SELECT f.lead_id, f.product FROM report_lead_facts f JOIN deals d ON d.id = f.deal_id
            WHERE d.status = ? AND d.closed_at >= ? AND d.closed_at < ? AND d.closed_at IS NOT NULL
            """, [.integer(Int64(DealStatus.won.rawValue)), .integer(from * 86_400_000 - offset), .integer((to + 1) * 86_400_000 - offset)]
        ) { ($0.int64(0), $0.string(1)) }, uniquingKeysWith: { a, _ in a })
        var groups: [String: [(deal: Deal, score: Int64, comment: String)]] = [:]
        for deal in try c.query(
            "SELECT \(DealStore.columns) FROM deals WHERE closed_at >= ? AND closed_at < ? AND closed_at IS NOT NULL AND status = ? AND \(visibility.sql)",
            [.integer(from * 86_400_000 - offset), .integer((to + 1) * 86_400_000 - offset), .integer(Int64(DealStatus.won.rawValue))]
                + visibility.values.map { .integer($0) }, DealStore.deal)
        {
            guard let text = deal.customFields.first(where: { $0.name == "nps" })?.value, let score = Int64(text), (0...10).contains(score) else { continue }
            let value: String = switch request.groupBy {
            case .pipeline: pipelines[deal.pipelineID] ?? String(deal.pipelineID)
            case .responsible: deal.responsibleID.map(String.init) ?? ""
            case .product: deal.leadID.flatMap { products[$0] } ?? ""
            case .field: deal.customFields.first { $0.name == field }?.value ?? ""
            case .unspecified: ""
            }
            let comment = deal.customFields.first { $0.name == "nps_comment" }?.value ?? ""
            groups[value, default: []].append((deal, score, comment))
        }
        let rows = groups.map { row($0.key, $0.value) }.sorted { ($0.responses, $1.value) > ($1.responses, $0.value) }
        return NPSReport(
            from: ReportCalendar.text(from), to: ReportCalendar.text(to), groupBy: request.groupBy, field: field, rows: rows,
            total: row("", groups.values.flatMap { $0 }))
    }

    /// NPS = (promoters − detractors) / responses, in percent, rounded half-even.
    static func row(_ value: String, _ answers: [(deal: Deal, score: Int64, comment: String)]) -> NPSRow {
        var r = NPSRow(value: value, responses: Int64(answers.count), distribution: Array(repeating: 0, count: 11))
        for a in answers {
            r.distribution[Int(a.score)] += 1
            switch a.score {
            case 9...10: r.promoters += 1
            case 7...8: r.passives += 1
            default: r.detractors += 1
            }
        }
        r.nps = r.responses == 0 ? 0 : Money.divideHalfEven((r.promoters - r.detractors) * 100, r.responses)
        r.comments = answers.filter { !$0.comment.isEmpty }
            .sorted { ($0.deal.closedAtMilliseconds ?? 0, $0.deal.id) > ($1.deal.closedAtMilliseconds ?? 0, $1.deal.id) }
            .prefix(commentsPerRow)
            .sorted { ($0.score, $0.deal.id) < ($1.score, $1.deal.id) }
            .map { NPSComment(dealID: $0.deal.id, score: $0.score, text: $0.comment) }
        return r
    }
}
