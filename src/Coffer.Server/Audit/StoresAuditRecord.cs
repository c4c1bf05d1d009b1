namespace Coffer.Server.Audit;

/// <summary>Endpoint metadata: the endpoint stores the change's <see cref="AuditReceipt"/> in the change's own transaction.</summary>
internal sealed class StoresAuditRecord
{
    public static StoresAuditRecord Instance { get; } = new();
}
