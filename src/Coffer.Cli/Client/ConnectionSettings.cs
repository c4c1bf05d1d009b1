using Coffer.Cli.Configuration;
using Coffer.Server;

namespace Coffer.Cli.Client;

/// <summary>Where to send requests and with which token, resolved flags first, then environment, then config file.</summary>
internal sealed record ConnectionSettings(Uri Address, string? Token)
{
    public const string AddressVariable = "COFFER_ADDR";
    public const string TokenVariable = "COFFER_TOKEN";
    public static readonly string DefaultAddress = $"http://{CofferServerOptions.DefaultListen}";

    public static ConnectionSettings Resolve(string? addressFlag, string? tokenFlag, CliEnvironment environment)
    {
        var needConfig = (addressFlag ?? environment.Variable(AddressVariable)) is null || (tokenFlag ?? environment.Variable(TokenVariable)) is null;
        var config = needConfig ? CliConfigFile.Load(environment) : null;
        var address = addressFlag ?? environment.Variable(AddressVariable) ?? config?.Address ?? DefaultAddress;
        var token = tokenFlag ?? environment.Variable(TokenVariable) ?? config?.Token;
        return new ConnectionSettings(ParseAddress(address), token);
    }

    public static Uri ParseAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw CliException.Usage($"the address '{text}' is not an http:// or https:// URL");
}
