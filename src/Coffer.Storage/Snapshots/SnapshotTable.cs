namespace Coffer.Storage.Snapshots;

/// <summary>One table as a snapshot holds it: how many rows, and the SHA-256 of their canonical lines.</summary>
public sealed record SnapshotTable(string Name, long Rows, string Sha256);
