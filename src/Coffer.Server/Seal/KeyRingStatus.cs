namespace Coffer.Server.Seal;

internal sealed record KeyRingStatus(long Generation, int CurrentKeyId, IReadOnlyList<KeyStatus> Keys, RewrapProgress Rewrap);
