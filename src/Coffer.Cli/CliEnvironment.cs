using System.Collections;

namespace Coffer.Cli;

/// <summary>What the CLI takes from its process: variables, home, standard input, HTTP; tests pass their own.</summary>
public sealed record CliEnvironment
{
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>The user's home folder, the last fallback for the config file location.</summary>
    public required string HomeDirectory { get; init; }

    /// <summary>Standard input, read for tokens, unseal shares and secret values.</summary>
    public Stream Input { get; init; } = Stream.Null;

    /// <summary>True when standard input is a pipe or file rather than a terminal.</summary>
    public bool InputRedirected { get; init; }

    /// <summary>Sends the HTTP requests; null uses a new socket handler per command.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often <c>operator rewrap --wait</c> asks for progress.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public static CliEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }

        return new CliEnvironment
        {
            Variables = variables,
            HomeDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            Input = Console.OpenStandardInput(),
            InputRedirected = Console.IsInputRedirected,
        };
    }

    /// <summary>The variable's value, treating empty as unset.</summary>
    public string? Variable(string name) => Variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
