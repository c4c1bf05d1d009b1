namespace Coffer.Server;

/// <summary>Validate service-account logins online, through the cluster's TokenReview API, instead of against its JWKS.</summary>
public sealed record TokenReviewOptions
{
    /// <summary>The Kubernetes API server, such as <c>https://kubernetes.default.svc</c>.</summary>
    public required Uri ApiServer { get; init; }

    /// <summary>A file holding Coffer's own token for the API server (allowed to create tokenreviews).</summary>
    public string? TokenPath { get; init; }

    /// <summary>A PEM file of the CA that signs the API server's certificate; the system's roots when absent.</summary>
    public string? CaPath { get; init; }

    /// <summary>Audiences the reviewed tokens must be for.</summary>
    public IReadOnlyList<string> Audiences { get; init; } = ["coffer"];
}
