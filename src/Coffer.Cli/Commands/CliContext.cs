using System.CommandLine;
using System.Text.Json.Nodes;
using Coffer.Cli.Client;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary>One command's invocation: its parsed values, the environment and where to write.</summary>
internal sealed class CliContext(ParseResult parse, GlobalOptions globals, CliEnvironment environment, TextWriter output, TextWriter error)
{
    public ParseResult Parse => parse;

    public CliEnvironment Environment => environment;

    public TextWriter Output => output;

    public TextWriter Error => error;

    public OutputFormat Format => GlobalOptions.ParseFormat(parse.GetValue(globals.Output) ?? "table");

    public string Namespace => parse.GetValue(globals.Namespace) ?? "default";

    public string? AddressFlag => parse.GetValue(globals.Address);

    public string? TokenFlag => parse.GetValue(globals.Token);

    public T? Value<T>(Option<T> option) => parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => parse.GetValue(argument);

    public CofferClient CreateClient() => new(ConnectionSettings.Resolve(AddressFlag, TokenFlag, environment), environment.HttpHandler);

    /// <summary>Prints the document as JSON or YAML when asked; false means the caller prints its table.</summary>
    public async Task<bool> WriteStructuredAsync(JsonNode document)
    {
        if (Format == OutputFormat.Table)
        {
            return false;
        }

        await StructuredOutput.WriteAsync(output, document, Format).ConfigureAwait(false);
        return true;
    }
}
