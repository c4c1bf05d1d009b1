using System.Data.Common;
using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <summary>The secret and version columns every backend stores, in the order every backend reads them.</summary>
internal static class SecretRows
{
    public const string MetadataColumns =
        "namespace, name, type, labels, annotations, current_version, max_versions, immutable, created_at, updated_at, deleted_at";

    public const int MetadataColumnCount = 11;

    public const string VersionColumns = "version, created_at, created_by, deleted_at, destroyed_at, key_id, wrapped_key, ciphertext";

    public static SecretMetadata ReadMetadata(DbDataReader reader) => new(
        new SecretAddress(reader.GetString(0), reader.GetString(1)),
        reader.GetString(2),
        LabelJson.Deserialize(reader.GetString(3)),
        LabelJson.Deserialize(reader.GetString(4)),
        reader.GetInt64(5),
        reader.GetInt32(6),
        reader.GetBoolean(7),
        Time(reader, 8)!.Value,
        Time(reader, 9)!.Value,
        Time(reader, 10));

    /// <summary>Reads <see cref="VersionColumns"/> starting at <paramref name="first"/>.</summary>
    public static SecretVersionInfo ReadVersion(DbDataReader reader, int first = 0) => new(
        reader.GetInt64(first),
        Time(reader, first + 1)!.Value,
        reader.GetString(first + 2),
        Time(reader, first + 3),
        Time(reader, first + 4));

    /// <summary>The sealed payload after <see cref="ReadVersion"/>'s columns, or null once destroyed.</summary>
    public static SealedPayload? ReadPayload(DbDataReader reader, int first = 0) =>
        reader.IsDBNull(first + 5) ? null : new SealedPayload(reader.GetInt32(first + 5), (byte[])reader[first + 6], (byte[])reader[first + 7]);

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
