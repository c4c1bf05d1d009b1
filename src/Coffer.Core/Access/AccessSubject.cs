namespace Coffer.Core.Access;

/// <summary>Who a binding grants to: a <c>User</c>, a <c>Group</c>, or a <c>ServiceAccount</c> (which has a namespace).</summary>
public sealed record AccessSubject(string Kind, string Name, string? Namespace);
