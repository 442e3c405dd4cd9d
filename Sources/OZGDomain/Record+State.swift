import OZGReplication

extension Record {
    /// The title followed by the state in parentheses („Wohngeld beantragen (IST)“), unless the title
    /// already ends with it, in any case: „Antrag (IST)“ and „Antrag (ist)“ stay as they are instead
    /// of becoming „Antrag (IST) (IST)“. Without a state, just the title.
    ///
    /// ```swift
    /// out += "### \(journey.titleWithState())\n"
    /// ```
    public func titleWithState(_ field: String = "zustand") -> String {
        let state = display(field)
        guard !state.isEmpty else { return title }
        let suffix = "(\(state))"
        let trimmed = title.trimmingSuffixSpaces()
        if trimmed.lowercased().hasSuffix(suffix.lowercased()) { return title }
        return "\(title) \(suffix)"
    }
}

extension String {
    fileprivate func trimmingSuffixSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
