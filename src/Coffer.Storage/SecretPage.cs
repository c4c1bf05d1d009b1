using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <param name="Next">The name to continue after, or null on the last page.</param>
public sealed record SecretPage(IReadOnlyList<SecretMetadata> Items, string? Next);
