namespace Coffer.Server.Auth;

/// <summary>The one seam every request's permission check goes through.</summary>
internal interface IAccessAuthorizer
{
    ValueTask<AccessDecision> AuthorizeAsync(CallerIdentity caller, AccessRequest request, CancellationToken cancellationToken);
}
