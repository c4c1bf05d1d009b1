namespace Coffer.Server.Seal;

/// <summary>Shown once: the unseal shares and the root token are not stored anywhere in plaintext.</summary>
internal sealed record InitResponse(IReadOnlyList<string> Keys, int Shares, int Threshold, string RootToken);
