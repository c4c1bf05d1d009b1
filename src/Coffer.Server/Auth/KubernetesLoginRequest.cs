namespace Coffer.Server.Auth;

/// <param name="Jwt">The workload's projected service-account token.</param>
internal sealed record KubernetesLoginRequest(string? Role, string? Jwt);
