namespace Coffer.Server.Sealing;

internal sealed record SealingVerifyResponse(bool Valid);
