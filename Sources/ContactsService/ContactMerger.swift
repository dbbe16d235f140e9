import Contracts

/// C3: the survivor of a merge. Per field the more complete value wins: a non-empty
/// value over an empty one, and between two different values the one from the contact
/// updated more recently. Emails, phones and tags are united; custom fields are decided
/// name by name. The result lists the fields whose value came from the merged contact,
/// for the audit record.
public enum ContactMerger {
    public static func merge(survivor: Contact, merged: Contact) -> (contact: Contact, fieldsTaken: [String]) {
        var result = survivor
        var taken: [String] = []
        let mergedIsNewer = merged.updatedAtMilliseconds > survivor.updatedAtMilliseconds

        func pick(_ name: String, _ mine: String, _ theirs: String) -> String {
            if theirs.isEmpty || theirs == mine { return mine }
            if mine.isEmpty || mergedIsNewer {
                taken.append(name)
                return theirs
            }
            return mine
        }
        result.firstName = pick("firstName", survivor.firstName, merged.firstName)
        result.lastName = pick("lastName", survivor.lastName, merged.lastName)
        result.company = pick("company", survivor.company, merged.company)

        let mySource = survivor.source ?? ContactSource()
        let theirSource = merged.source ?? ContactSource()
        if !theirSource.isEmpty && theirSource != mySource && (mySource.isEmpty || mergedIsNewer) {
            result.source = theirSource
            taken.append("source")
        }
        if let theirs = merged.responsibleID, theirs != survivor.responsibleID,
            survivor.responsibleID == nil || mergedIsNewer
        {
            result.responsibleID = theirs
            taken.append("responsibleId")
        }

        for email in merged.emails where !result.emails.contains(email) {
            result.emails.append(email)
            taken.append("emails")
        }
        for phone in merged.phones where !result.phones.contains(where: { $0.number == phone.number }) {
            result.phones.append(phone)
            taken.append("phones")
        }
        for tag in merged.tags where !result.tags.contains(tag) {
            result.tags.append(tag)
            taken.append("tags")
        }
        for field in merged.customFields {
            if let i = result.customFields.firstIndex(where: { $0.name == field.name }) {
                let value = pick("customFields.\(field.name)", result.customFields[i].value, field.value)
                result.customFields[i].value = value
            } else {
                result.customFields.append(field)
                taken.append("customFields.\(field.name)")
            }
        }
        result.createdAtMilliseconds = min(survivor.createdAtMilliseconds, merged.createdAtMilliseconds)
        var seen = Set<String>()
        return (result, taken.filter { seen.insert($0).inserted })
    }
}
