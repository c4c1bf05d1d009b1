using Coffer.Core.Secrets;
using Coffer.Crypto.Envelope;
using Coffer.Server.Auth;
using Coffer.Server.Seal;
using Coffer.Server.Secrets;
using Coffer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Benchmarks;

/// <summary>Times each stage of an authenticated read on its own, in-process, to show where a request's time goes.</summary>
internal static class ReadPathBreakdown
{
    public static async Task WriteAsync(CofferTarget target, int iterations, TextWriter output, CancellationToken cancellationToken)
    {
        var services = target.Services;
        var store = services.GetRequiredService<ISecretStore>();
        var seal = services.GetRequiredService<SealState>();
        var authenticator = services.GetRequiredService<TokenAuthenticator>();
        var operations = services.GetRequiredService<SecretOperations>();
        var address = new SecretAddress(CofferTarget.Namespace, CofferTarget.SecretName);
        var stored = (await store.GetVersionAsync(address, null, cancellationToken).ConfigureAwait(false))!;
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = $"Bearer {target.Token}";

        await output.WriteLineAsync("| stage | microseconds per call |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- | ---: |").ConfigureAwait(false);
        await TimeAsync("token authentication (cached)", async () => await authenticator.AuthenticateAsync(context.Request, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        var cs = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = target.DatabasePath, Pooling = true }.ToString();
        await TimeAsync("SQLite pooled open+close", () =>
        {
            using var c = new Microsoft.Data.Sqlite.SqliteConnection(cs);
            c.Open();
            return Task.CompletedTask;
        }).ConfigureAwait(false);
        await TimeAsync("SQLite pooled open + SELECT 1", () =>
        {
            using var c = new Microsoft.Data.Sqlite.SqliteConnection(cs);
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT current_version FROM secrets WHERE namespace = 'bench' AND name = 's200';";
            cmd.ExecuteScalar();
            return Task.CompletedTask;
        }).ConfigureAwait(false);
        var held = new Microsoft.Data.Sqlite.SqliteConnection(cs);
        held.Open();
        await TimeAsync("SQLite held connection SELECT 1 (prepare each time)", () =>
        {
            using var cmd = held.CreateCommand();
            cmd.CommandText = "SELECT current_version FROM secrets WHERE namespace = 'bench' AND name = 's200';";
            cmd.ExecuteScalar();
            return Task.CompletedTask;
        }).ConfigureAwait(false);
        await TimeAsync("storage GetVersionAsync", () => store.GetVersionAsync(address, null, cancellationToken)).ConfigureAwait(false);
        await TimeAsync("EnvelopeCipher.Open", () => Task.FromResult(EnvelopeCipher.Open(seal.Ring, address, stored.Version!.Version, stored.Payload!))).ConfigureAwait(false);
        await TimeAsync("SecretOperations.GetAsync (storage + decrypt + decode)", () => operations.GetAsync(address, null, cancellationToken)).ConfigureAwait(false);
        var audit = services.GetRequiredService<Coffer.Server.Audit.AuditLog>();
        var lines = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using var entryWriter = new System.Text.Json.Utf8JsonWriter(Stream.Null);
        await TimeAsync("audit: entry serialised and hashed", () =>
        {
            lines.ResetWrittenCount();
            _ = Coffer.Server.Audit.AuditChain.Append(audit.Template(Coffer.Server.Audit.AuditEntry.RequestKind) with { Prev = Coffer.Server.Audit.AuditChain.Genesis, User = "root", Path = "/v1/namespaces/bench/secrets/s200", Status = 200 }, lines, entryWriter);
            return Task.CompletedTask;
        }).ConfigureAwait(false);
        await TimeAsync("audit: AuditLog.RecordAsync of a read (one caller, not synced)", () => audit.RecordAsync(audit.Template(Coffer.Server.Audit.AuditEntry.RequestKind) with { User = "root", Status = 200 }, sync: false, cancellationToken)).ConfigureAwait(false);
        await TimeAsync("HTTP GET missing secret: auth + storage miss + 404 JSON (client + server)", () => target.GetStatusAsync($"/v1/namespaces/{CofferTarget.Namespace}/secrets/missing", cancellationToken)).ConfigureAwait(false);
        await TimeAsync("HTTP GET /readyz (client + server)", () => target.GetStatusAsync("/readyz", cancellationToken)).ConfigureAwait(false);
        await TimeAsync("HTTP GET /healthz (client + server)", () => target.TrivialAsync(cancellationToken)).ConfigureAwait(false);
        await TimeAsync("HTTP GET secret (client + server)", () => target.ReadAsync(cancellationToken)).ConfigureAwait(false);

        Task TimeAsync(string stage, Func<Task> call) => StageTimer.TimeAsync(output, stage, iterations, call);
    }
}
