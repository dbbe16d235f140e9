extension PaymentOpens {
    /// B3: what a paid payment opens when its integration said nothing — a donation for
    /// the donation providers (what they were first taken for), nothing for staff's own.
    public static func unlessSaid(_ said: PaymentOpens, provider: PaymentProvider) -> PaymentOpens {
        guard said == .unspecified else { return said }
        return provider == .leyka || provider == .cloudpayments ? .donations : .nothing
    }
}
