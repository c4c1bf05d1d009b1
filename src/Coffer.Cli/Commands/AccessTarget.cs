namespace Coffer.Cli.Commands;

/// <summary>Splits <c>secrets/NAME</c> into resource and name; <c>secrets/versions</c> is a subresource, not a name.</summary>
internal static class AccessTarget
{
    private static readonly string[] Subresources = ["versions"];

    public static (string Resource, string? Name) Split(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (text, null);
        }

        var rest = text[(slash + 1)..];
        if (Subresources.Contains(rest, StringComparer.Ordinal))
        {
            return (text, null);
        }

        return (text[..slash], rest.Length == 0 ? throw new CliException(CliExitCode.Usage, $"'{text}' names no object; use RESOURCE or RESOURCE/NAME") : rest);
    }
}
