namespace Coffer.Server.Seal;

/// <param name="Progress">Shares received towards the threshold since the last unseal attempt.</param>
internal sealed record SealStatus(bool Initialized, bool Sealed, int Shares, int Threshold, int Progress, int? KeyId);
