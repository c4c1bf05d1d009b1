namespace Coffer.Server.Alerts;

/// <summary>The alerts raised since the server started (the newest thousand).</summary>
internal sealed record AlertList(IReadOnlyList<AccessAlert> Items);
