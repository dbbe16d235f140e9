import Contracts
import Wire

/// N6: a qualification bot's flow is data an admin edits; it is checked when saved, as a
/// graph: 7–12 questions with unique keys, the first one existing, every answer leading
/// to a question or to `end`, choices with 2–10 distinct labels, every question reachable
/// from the first, and every path ending (no loop), each problem a field error.
public enum BotFlowValidator {
    public static func violations(_ flow: BotFlow) -> [FieldViolation] {
        var v: [FieldViolation] = []
        let questions = flow.questions
        if !(7...12).contains(questions.count) { v.append(FieldViolation(field: "questions", description: "has \(questions.count); a flow has 7 to 12 questions")) }
        var byKey: [String: BotQuestion] = [:]
        for (i, q) in questions.enumerated() {
            if byKey[q.questionKey] != nil { v.append(FieldViolation(field: "questions[\(i)].key", description: "\(q.questionKey) is used twice")) }
            byKey[q.questionKey] = q
        }
        if byKey[flow.first] == nil { v.append(FieldViolation(field: "first", description: "\(flow.first) is not a question of the flow")) }
        func nexts(_ q: BotQuestion) -> [String] { q.kind == .choice ? q.choices.map(\.next) : [q.next] }
        for (i, q) in questions.enumerated() {
            switch q.kind {
            case .choice:
                if !(2...10).contains(q.choices.count) { v.append(FieldViolation(field: "questions[\(i)].choices", description: "a choice offers 2 to 10 answers")) }
                if Set(q.choices.map(\.label)).count != q.choices.count { v.append(FieldViolation(field: "questions[\(i)].choices", description: "two answers have the same label")) }
            case .text:
                if !q.choices.isEmpty { v.append(FieldViolation(field: "questions[\(i)].choices", description: "a text question has no choices")) }
            case .unspecified:
                v.append(FieldViolation(field: "questions[\(i)].kind", description: "is missing"))
            }
            for (j, next) in nexts(q).enumerated() where next != "end" && byKey[next] == nil {
                let field = q.kind == .choice ? "questions[\(i)].choices[\(j)].next" : "questions[\(i)].next"
                v.append(FieldViolation(field: field, description: next.isEmpty ? "name the next question or end" : "\(next) is not a question of the flow"))
            }
        }
        guard v.isEmpty else { return v }
        // Reachable from the first, and no path that never ends (a loop), by depth-first search.
        var state: [String: Int] = [:]  // 1: on the path, 2: done
        var loop: [String]?
        func visit(_ key: String, _ path: [String]) {
            guard key != "end", loop == nil, let q = byKey[key] else { return }
            if state[key] == 1 { loop = path + [key]; return }
            guard state[key] == nil else { return }
            state[key] = 1
            for next in nexts(q) { visit(next, path + [key]) }
            state[key] = 2
        }
        visit(flow.first, [])
        if let loop { v.append(FieldViolation(field: "questions", description: "a path never ends: \(loop.joined(separator: " → "))")) }
        for (i, q) in questions.enumerated() where state[q.questionKey] == nil {
            v.append(FieldViolation(field: "questions[\(i)]", description: "\(q.questionKey) cannot be reached from \(flow.first)"))
        }
        return v
    }
}
