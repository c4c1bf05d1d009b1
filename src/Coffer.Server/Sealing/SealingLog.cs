namespace Coffer.Server.Sealing;

/// <summary>Certificate thumbprints only, never key material.</summary>
internal static partial class SealingLog
{
    [LoggerMessage(6101, LogLevel.Information, "Sealing key added (certificate {Thumbprint}); {Count} kept")]
    public static partial void KeyAdded(ILogger logger, string thumbprint, int count);
}
