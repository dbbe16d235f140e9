extension PaymentReports {
    /// The most reports one call carries: billing's one transaction for them stays short.
    public static let limit = 500
}
