namespace Coffer.Server.Audit;

/// <summary>How much of a request the audit log keeps, as in Kubernetes' audit Policy.</summary>
public enum AuditLevel
{
    /// <summary>Not recorded (a denied request is still recorded at <see cref="Metadata"/>).</summary>
    None,

    /// <summary>Who, what, when, the decision and the status.</summary>
    Metadata,

    /// <summary>Also the request's object, with every value replaced by its HMAC.</summary>
    Request,

    /// <summary>Also the response's object, values again as HMACs.</summary>
    RequestResponse,
}
