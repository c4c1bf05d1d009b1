namespace Coffer.Server.Auth;

/// <summary>
/// Until role-based access control lands, every valid token may do everything its creator could:
/// tokens are only created by the root token.
/// </summary>
internal sealed class TokenHolderAuthorizer : IAccessAuthorizer
{
    public ValueTask<AccessDecision> AuthorizeAsync(CallerIdentity caller, AccessRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new AccessDecision(true, caller.IsRoot ? "root token" : "token issued by root"));
}
