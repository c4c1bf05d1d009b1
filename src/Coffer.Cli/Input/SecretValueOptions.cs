namespace Coffer.Cli.Input;

/// <param name="StdinPlaceholder">True when <c>-</c> was given as the value source.</param>
/// <param name="StdinKey">The key a value read from standard input is stored under.</param>
internal sealed record SecretValueOptions(
    IReadOnlyList<string> Literals,
    IReadOnlyList<string> Files,
    IReadOnlyList<string> EnvFiles,
    bool StdinPlaceholder,
    string StdinKey);
