namespace Coffer.Cli.Input;

/// <summary>Splits <c>KEY=VALUE</c> arguments; errors name the option and position, never the value.</summary>
internal static class KeyValueArgument
{
    public static (string Key, string Value) Split(string text, string option, int position)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw CliException.Usage($"{option} expects KEY=VALUE, but its value number {position} has no '='");
        }

        if (equals == 0)
        {
            throw CliException.Usage($"{option} expects KEY=VALUE, but its value number {position} has an empty key");
        }

        return (text[..equals], text[(equals + 1)..]);
    }

    /// <summary>kubectl syntax for labels and annotations: <c>key=value</c> sets, <c>key-</c> removes (null).</summary>
    public static (string Key, string? Value) MetadataChange(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            return (text[..equals], text[(equals + 1)..]);
        }

        if (equals < 0 && text.Length > 1 && text.EndsWith('-'))
        {
            return (text[..^1], null);
        }

        throw CliException.Usage($"'{text}' must be KEY=VALUE to set or KEY- to remove");
    }
}
