namespace Coffer.Scanning.Configuration;

/// <summary>The scan configuration cannot be used; the message names the file and the problem, never a secret.</summary>
public sealed class ScanConfigException(string message, Exception? inner = null) : Exception(message, inner);
