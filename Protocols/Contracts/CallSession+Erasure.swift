extension CallSession {
    /// C8: the call as kept once its client is erased: when, how long, who answered and
    /// where it came from stay (the reports count it); the number and the recordings go.
    public var erased: CallSession {
        var call = self
        call.clientNumber = ""
        call.recordingURL = ""
        for index in call.legs.indices { call.legs[index].recordingURL = "" }
        return call
    }
}
