namespace Coffer.Server.Access;

/// <param name="User">Ask for someone else (needs <c>impersonate</c>); absent means the caller.</param>
/// <param name="List">List every rule that applies in the namespace instead of answering one question.</param>
internal sealed record CanIRequest(string? Verb, string? Resource, string? Namespace, string? Name, string? User, IReadOnlyList<string>? Groups, bool List = false);
