extension BinaryInteger {
    /// The number in decimal with leading zeros to `width` digits (`7` → `07`): what
    /// `String(format: "%02d")` wrote, without Foundation (issue 30).
    public func zeroPadded(to width: Int) -> String {
        let digits = String(self)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
