import ContractSchema

/// Every contract file, in the order the generator writes them. A new service adds its
/// schema file here.
public let allContracts = [echoContract, eventsContract, visibilityContract, setupContract, movingContract, auditContract, contactsContract, dealsContract, gatewayContract, personContract, telephonyContract, schedulingContract, billingContract, notificationsContract]

/// The one ceiling of every amount taken, in minor units: `Money.maximumMinor` in the
/// contracts (WireTests hold the two together).
public let moneyCeiling: Int64 = 1_000_000_000_000
