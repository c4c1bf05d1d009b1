namespace Coffer.Server.Auth;

/// <param name="Accessor">The token's public handle: safe to log and to record.</param>
internal sealed record CallerIdentity(string Name, string Accessor, bool IsRoot);
