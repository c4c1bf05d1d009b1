namespace Coffer.Server.Access;

/// <summary>A YAML sequence.</summary>
internal sealed record ManifestList(long Line, IReadOnlyList<ManifestNode> Items) : ManifestNode(Line);
