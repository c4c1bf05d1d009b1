namespace Coffer.Server.Api;

/// <summary>The one error shape: a Kubernetes-style Status with a machine-readable reason and the offending field.</summary>
internal sealed record ApiError(string ApiVersion, string Kind, string Status, int Code, string Reason, string Message, string? Field)
{
    public static ApiError Create(int code, string reason, string message, string? field = null) =>
        new(ApiJson.ApiVersion, "Status", "Failure", code, reason, message, field);
}
