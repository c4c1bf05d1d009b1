using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <summary>The change-log statement both backends run inside each secret write, and the kinds it records.</summary>
public static class SecretChangeLogSql
{
    public const string Written = "written";
    public const string Deleted = "deleted";
    public const string Undeleted = "undeleted";
    public const string Destroyed = "destroyed";
    public const string Metadata = "metadata";

    /// <summary>Parameters <c>@ns</c>, <c>@name</c>, <c>@version</c>, <c>@kind</c>, <c>@at</c>; runs unchanged on both backends.</summary>
    internal const string Insert = "INSERT INTO secret_changes (namespace, name, version, kind, at) VALUES (@ns, @name, @version, @kind, @at);";

    internal static string KindOf(SecretChangeKind kind) => kind switch
    {
        SecretChangeKind.Metadata => Metadata,
        SecretChangeKind.Delete => Deleted,
        SecretChangeKind.Undelete => Undeleted,
        SecretChangeKind.Destroy => Destroyed,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
