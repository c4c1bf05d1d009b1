namespace Coffer.Server.Auth;

/// <summary>What a request wants to do, in Kubernetes RBAC terms.</summary>
internal sealed record AccessRequest(string Verb, string Resource, string? Namespace, string? Name);
