using System.Security.Cryptography;
using System.Text;
using Coffer.Scanning.Sources;

namespace Coffer.Scanning;

/// <summary>A secret found at a place; <see cref="Secret"/> is the raw value and must be masked before it is shown.</summary>
public sealed record Finding(string RuleId, string Description, string Path, int Line, int Column, string Secret)
{
    /// <summary>The commit that added the line, for a history scan; null for files, streams and staged changes.</summary>
    public GitCommit? Commit { get; init; }

    /// <summary>SHA-256 of rule, path and secret (not the line), so a baseline survives lines moving.</summary>
    public string Fingerprint => ComputeFingerprint(RuleId, Path, Secret);

    public static string ComputeFingerprint(string ruleId, string path, string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ruleId}\n{path}\n{secret}")));

    /// <summary>The first four characters (fewer for short secrets) and stars.</summary>
    public string MaskedSecret => (Secret.Length >= 12 ? Secret[..4] : Secret[..(Secret.Length / 4)]) + "****";
}
