namespace Coffer.Scanning.Linting;

/// <summary>A manifest breaking a <see cref="LintCheck"/>; the message names the object and field, never a secret value.</summary>
public sealed record LintFinding(LintCheck Check, string Message, string Path, int Line, int Column)
{
    /// <summary>Hashes check, path and message like a scan finding, so dashboards track it across line moves.</summary>
    public string Fingerprint => Finding.ComputeFingerprint(Check.Id, Path, Message);
}
