namespace Coffer.Server.Seal;

/// <param name="Token">The new root token, shown once; revoke it when the emergency is over.</param>
internal sealed record GenerateRootResponse(string Token);
