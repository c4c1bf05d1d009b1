namespace Coffer.Server.Auth;

/// <summary>Set on a filtered list the caller may not list in full: only these names are shown.</summary>
internal sealed record VisibleNames(Func<string, bool> Contains);
