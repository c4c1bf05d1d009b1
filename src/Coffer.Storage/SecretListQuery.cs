using Coffer.Core.Secrets;

namespace Coffer.Storage;

/// <param name="After">Names sort ordinally; the page starts after this one.</param>
/// <param name="Filter">Applied by the store before counting towards <paramref name="Limit"/>.</param>
public sealed record SecretListQuery(string? After, int Limit, bool IncludeDeleted, Func<SecretMetadata, bool>? Filter);
