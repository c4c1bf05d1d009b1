namespace Coffer.Server.Access;

/// <summary>A YAML mapping with string keys, in document order; keys are unique (the reader refuses duplicates).</summary>
internal sealed record ManifestMap(long Line, IReadOnlyList<KeyValuePair<string, ManifestNode>> Entries) : ManifestNode(Line)
{
    /// <summary>The value of <paramref name="key"/>, or null when it is absent or a YAML null.</summary>
    public ManifestNode? Get(string key)
    {
        foreach (var (candidate, value) in Entries)
        {
            if (candidate == key)
            {
                return value is ManifestScalar { IsNull: true } ? null : value;
            }
        }

        return null;
    }
}
