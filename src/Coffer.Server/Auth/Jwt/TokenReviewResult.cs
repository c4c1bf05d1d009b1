namespace Coffer.Server.Auth.Jwt;

/// <summary>Who the cluster says a token belongs to.</summary>
internal sealed record TokenReviewResult(string UserName, IReadOnlyList<string> Groups);
