namespace Coffer.Core.Access;

/// <summary>
/// What is asked for: a verb on a resource (<c>secrets</c>, or a subresource such as <c>secrets/versions</c>),
/// in a namespace (null for cluster-scoped resources), on a named object (null for list and create).
/// </summary>
public sealed record AccessAttributes(string Verb, string Resource, string? Namespace, string? Name);
