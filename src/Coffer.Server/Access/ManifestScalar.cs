namespace Coffer.Server.Access;

/// <summary>A YAML scalar; <paramref name="IsNull"/> when it is a plain <c>null</c>, <c>~</c> or nothing at all.</summary>
internal sealed record ManifestScalar(long Line, string Value, bool IsNull) : ManifestNode(Line);
