namespace Coffer.Cli.Commands;

/// <summary><c>NS/NAME</c>, or <c>NAME</c> in the <c>--namespace</c> given.</summary>
internal static class NamespacedName
{
    public static (string Namespace, string Name) Parse(string text, string defaultNamespace)
    {
        var parts = text.Split('/');
        return parts switch
        {
            [var name] when name.Length > 0 => (defaultNamespace, name),
            [var ns, var name] when ns.Length > 0 && name.Length > 0 => (ns, name),
            _ => throw new CliException(CliExitCode.Usage, $"'{text}' must be NAME or NAMESPACE/NAME"),
        };
    }

    public static string Path(string ns, string suffix) => $"/v1/namespaces/{Uri.EscapeDataString(ns)}{suffix}";
}
