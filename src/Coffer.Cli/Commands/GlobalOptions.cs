using System.CommandLine;
using Coffer.Cli.Output;

namespace Coffer.Cli.Commands;

/// <summary>The kubectl-like options every client command takes.</summary>
internal sealed class GlobalOptions
{
    public Option<string> Namespace { get; } = new("--namespace", "-n")
    {
        Description = "Namespace of the secrets",
        DefaultValueFactory = _ => "default",
        Recursive = true,
    };

    public Option<string> Output { get; } = CreateOutput();

    public Option<string?> Address { get; } = new("--address")
    {
        Description = "Server URL (else $COFFER_ADDR, the config file, or http://127.0.0.1:8200)",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Access token (else $COFFER_TOKEN or the config file)",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Namespace);
        command.Options.Add(Output);
        command.Options.Add(Address);
        command.Options.Add(Token);
    }

    public static OutputFormat ParseFormat(string text) => text switch
    {
        "json" => OutputFormat.Json,
        "yaml" => OutputFormat.Yaml,
        _ => OutputFormat.Table,
    };

    private static Option<string> CreateOutput()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Output format: table, json or yaml",
            DefaultValueFactory = _ => "table",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("table", "json", "yaml");
        return option;
    }
}
