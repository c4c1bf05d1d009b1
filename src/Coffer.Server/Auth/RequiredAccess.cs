namespace Coffer.Server.Auth;

/// <summary>Endpoint metadata: the verb and resource an endpoint needs. Endpoints without it are refused.</summary>
internal sealed record RequiredAccess(string Verb, string Resource);
