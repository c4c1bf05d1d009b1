namespace Coffer.Server.Auth;

internal sealed record TokenRevoked(IReadOnlyList<string> Accessors);
