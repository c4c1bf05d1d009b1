namespace Coffer.Core.Access;

/// <summary>The answer to one check; <paramref name="Reason"/> names the binding and role that allowed it.</summary>
public sealed record AccessVerdict(bool Allowed, string Reason);
