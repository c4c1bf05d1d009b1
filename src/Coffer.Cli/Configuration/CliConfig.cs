namespace Coffer.Cli.Configuration;

/// <summary>What <c>coffer login</c> remembers.</summary>
internal sealed record CliConfig(string? Address, string? Token);
