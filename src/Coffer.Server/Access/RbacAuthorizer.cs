using Coffer.Core.Access;
using Coffer.Server.Auth;

namespace Coffer.Server.Access;

/// <summary>Kubernetes-style RBAC over the stored roles and bindings: deny unless a rule allows.</summary>
internal sealed class RbacAuthorizer(AccessPolicySource policies) : IAccessAuthorizer
{
    public async ValueTask<AccessVerdict> AuthorizeAsync(CallerIdentity caller, AccessAttributes request, CancellationToken cancellationToken)
    {
        if (caller.IsRoot)
        {
            return new AccessVerdict(true, "root");
        }

        var policy = await policies.CurrentAsync(cancellationToken).ConfigureAwait(false);
        return policy.Check(caller.Principal, request);
    }
}
