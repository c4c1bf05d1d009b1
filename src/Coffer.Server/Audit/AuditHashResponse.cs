namespace Coffer.Server.Audit;

/// <param name="Hmac"><c>hmac-sha256:</c> and the hex MAC, exactly as audit entries hold values.</param>
internal sealed record AuditHashResponse(string Hmac);
