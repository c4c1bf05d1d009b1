using Coffer.Core.Errors;

namespace Coffer.Server.Auth.Jwt;

/// <summary>A Kubernetes service account, as named by a projected service-account token.</summary>
internal sealed record ServiceAccountName(string Namespace, string Name)
{
    private const string SubjectPrefix = "system:serviceaccount:";

    /// <summary>The user name Kubernetes gives the account, so that bindings read the same here as in RBAC.</summary>
    public string UserName => $"{SubjectPrefix}{Namespace}:{Name}";

    /// <summary>The groups Kubernetes puts every service account in.</summary>
    public IReadOnlyList<string> Groups => ["system:serviceaccounts", $"system:serviceaccounts:{Namespace}"];

    /// <summary>
    /// Reads the account from <c>sub</c> and the <c>kubernetes.io</c> claim. Both are required and must agree:
    /// a token from some other issuer that merely looks like a service-account subject must not pass as one.
    /// </summary>
    /// <summary>Reads the account from the user name the cluster's TokenReview answered with.</summary>
    public static ServiceAccountName FromUserName(string userName)
    {
        var parts = userName.StartsWith(SubjectPrefix, StringComparison.Ordinal) ? userName[SubjectPrefix.Length..].Split(':') : [];
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0
            ? new ServiceAccountName(parts[0], parts[1])
            : throw NotAServiceAccount("the reviewed token does not belong to a service account");
    }

    public static ServiceAccountName FromJwt(ValidatedJwt jwt)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        if (!jwt.Subject.StartsWith(SubjectPrefix, StringComparison.Ordinal))
        {
            throw NotAServiceAccount("the token's subject is not a service account");
        }

        var parts = jwt.Subject[SubjectPrefix.Length..].Split(':');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw NotAServiceAccount("the token's subject is not a service account");
        }

        var claimedNamespace = Single(jwt, "kubernetes.io.namespace");
        var claimedName = Single(jwt, "kubernetes.io.serviceaccount.name");
        if (!string.Equals(parts[0], claimedNamespace, StringComparison.Ordinal) || !string.Equals(parts[1], claimedName, StringComparison.Ordinal))
        {
            throw NotAServiceAccount("the token's subject and kubernetes.io claim name different service accounts");
        }

        return new ServiceAccountName(parts[0], parts[1]);
    }

    private static string Single(ValidatedJwt jwt, string claim) =>
        jwt.Claims.TryGetValue(claim, out var values) && values.Count == 1 && values[0].Length > 0
            ? values[0]
            : throw NotAServiceAccount($"the token has no single {claim} claim");

    private static CofferException NotAServiceAccount(string message) =>
        new(ErrorKind.Unauthenticated, "NotAServiceAccount", message);
}
