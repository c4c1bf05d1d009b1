namespace Coffer.Storage;

/// <summary>What an apply or delete did to one object: <c>created</c>, <c>configured</c>, <c>unchanged</c>, <c>deleted</c> or <c>not found</c>.</summary>
public sealed record AccessChange(AccessObjectKey Object, string Outcome);
