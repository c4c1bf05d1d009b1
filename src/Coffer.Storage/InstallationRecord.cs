namespace Coffer.Storage;

public sealed record InstallationRecord(int Shares, int Threshold, DateTimeOffset CreatedAt);
