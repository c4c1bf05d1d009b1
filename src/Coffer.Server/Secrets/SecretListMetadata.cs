namespace Coffer.Server.Secrets;

/// <param name="Continue">Pass as <c>continue</c> to get the next page; absent on the last page.</param>
internal sealed record SecretListMetadata(string? Continue);
