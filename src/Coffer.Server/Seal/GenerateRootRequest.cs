namespace Coffer.Server.Seal;

/// <param name="Keys">At least the threshold of distinct unseal key shares.</param>
internal sealed record GenerateRootRequest(IReadOnlyList<string>? Keys);
