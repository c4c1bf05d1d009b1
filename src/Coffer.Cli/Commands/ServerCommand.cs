using System.CommandLine;
using Coffer.Core.Errors;
using Coffer.Server;

namespace Coffer.Cli.Commands;

internal static class ServerCommand
{
    public static Command Create(TextWriter output)
    {
        var dev = new Option<bool>("--dev") { Description = "Initialise and unseal with an in-memory root key and print a root token (loopback only)" };
        var data = new Option<string?>("--data") { Description = "Folder for the database (dev mode: a temporary folder if absent)" };
        var listen = new Option<string>("--listen") { Description = "ADDRESS:PORT to listen on", DefaultValueFactory = _ => CofferServerOptions.DefaultListen };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate for HTTPS" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key for HTTPS" };
        var insecure = new Option<bool>("--insecure-listen") { Description = "Serve plain HTTP without --dev (loopback addresses only)" };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL connection string, shared by replicas (default: $COFFER_POSTGRES; keep passwords out of it, use PGPASSFILE)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COFFER_POSTGRES") is { Length: > 0 } value ? value : null,
        };
        var unsealKeyFile = new Option<string?>("--unseal-key-file") { Description = "File (mode 0600) of unseal shares, one per line, used at start" };
        var command = new Command("server", "Run the Coffer server") { dev, data, listen, tlsCert, tlsKey, insecure, postgres, unsealKeyFile };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new CofferServerOptions
            {
                Dev = parse.GetValue(dev),
                DataDirectory = parse.GetValue(data),
                PostgresConnectionString = parse.GetValue(postgres),
                Listen = parse.GetValue(listen)!,
                TlsCertificatePath = parse.GetValue(tlsCert),
                TlsKeyPath = parse.GetValue(tlsKey),
                InsecureListen = parse.GetValue(insecure),
                UnsealKeyFile = parse.GetValue(unsealKeyFile),
            };
            try
            {
                await using var server = await CofferServer.StartAsync(options, output, cancellationToken).ConfigureAwait(false);
                await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (CofferException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }
}
