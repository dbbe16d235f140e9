import ContractSchema

/// Every contract file, in the order the generator writes them. A new service adds its
/// schema file here.
public let allContracts = [echoContract, eventsContract, visibilityContract, contactsContract, dealsContract, gatewayContract, telephonyContract, schedulingContract, billingContract, notificationsContract]
