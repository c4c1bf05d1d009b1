namespace Coffer.Core.Access;

/// <summary>Finds risky grants in a policy: the checks of <c>coffer access review</c>.</summary>
public static class AccessReview
{
    /// <param name="knownUsers">User names that have logged in or hold a token; bindings to any other subject are flagged.</param>
    public static IReadOnlyList<AccessFinding> Find(AccessPolicy policy, IReadOnlyCollection<string> knownUsers, IReadOnlyList<ReviewedToken> tokens) =>
        throw new NotImplementedException();
}
