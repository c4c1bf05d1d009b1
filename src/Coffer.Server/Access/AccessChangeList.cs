namespace Coffer.Server.Access;

internal sealed record AccessChangeList(IReadOnlyList<AccessChangeItem> Items);
