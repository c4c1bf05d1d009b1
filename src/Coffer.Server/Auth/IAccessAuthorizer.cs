using Coffer.Core.Access;

namespace Coffer.Server.Auth;

/// <summary>The one seam every request's permission check goes through.</summary>
internal interface IAccessAuthorizer
{
    ValueTask<AccessVerdict> AuthorizeAsync(CallerIdentity caller, AccessAttributes request, CancellationToken cancellationToken);
}
