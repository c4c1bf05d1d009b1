namespace Coffer.Core.Secrets;

public enum SecretChangeKind
{
    /// <summary>Merge labels and annotations; a null value removes the key.</summary>
    Metadata,
    Delete,
    Undelete,
    Destroy,
}
