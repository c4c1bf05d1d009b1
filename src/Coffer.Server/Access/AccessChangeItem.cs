namespace Coffer.Server.Access;

/// <param name="Outcome"><c>created</c>, <c>configured</c>, <c>unchanged</c>, <c>deleted</c> or <c>not found</c>.</param>
internal sealed record AccessChangeItem(string Kind, string? Namespace, string Name, string Outcome);
