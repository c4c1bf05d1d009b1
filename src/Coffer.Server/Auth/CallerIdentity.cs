using Coffer.Core.Access;

namespace Coffer.Server.Auth;

/// <param name="Accessor">The token's public handle: safe to log and to record.</param>
internal sealed record CallerIdentity(string Accessor, Principal Principal)
{
    public string Name => Principal.User;

    public bool IsRoot => Principal.IsRoot;
}
