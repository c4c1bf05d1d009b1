using System.Text;
using Coffer.Core.Secrets;
using Coffer.Server.Secrets;
using Coffer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Benchmarks;

/// <summary>Times each stage of a durable write on its own, one caller, beside the raw SQLite floor.</summary>
internal static class WritePathBreakdown
{
    public static async Task WriteAsync(CofferTarget target, RawSqliteInserts raw, int iterations, TextWriter output, CancellationToken cancellationToken)
    {
        var services = target.Services;
        var store = services.GetRequiredService<ISecretStore>();
        var operations = services.GetRequiredService<SecretOperations>();
        var address = new SecretAddress(CofferTarget.Namespace, "breakdown");
        var payload = new SealedPayload(1, new byte[60], new byte[260]);
        var request = new SecretWriteRequest { StringData = new() { ["value"] = new string('x', 200) } };
        var invalid = Encoding.UTF8.GetBytes($"{{\"type\":\"kubernetes.io/tls\",\"stringData\":{{\"value\":\"{new string('x', 200)}\"}}}}");

        await output.WriteLineAsync("| write stage | microseconds per call |").ConfigureAwait(false);
        await output.WriteLineAsync("| --- | ---: |").ConfigureAwait(false);
        await TimeAsync("raw SQLite autocommit INSERT (the floor)", () => raw.InsertAsync(cancellationToken)).ConfigureAwait(false);
        await TimeAsync("storage WriteVersionAsync (no encryption)", () => store.WriteVersionAsync(
            new SecretWrite(address, SecretTypes.Opaque, null, null, false, null, null, "bench", DateTimeOffset.UnixEpoch),
            _ => payload,
            cancellationToken)).ConfigureAwait(false);
        await TimeAsync("SecretOperations.PutAsync (validate + encrypt + storage)", () => operations.PutAsync(address, request, null, "bench", receipt: null, cancellationToken)).ConfigureAwait(false);
        await TimeAsync("HTTP PUT rejected by validation (400, no storage; client + server)", () => target.PutStatusAsync($"/v1/namespaces/{CofferTarget.Namespace}/secrets/breakdown", invalid, cancellationToken)).ConfigureAwait(false);
        await TimeAsync("HTTP PUT secret (client + server)", () => target.WriteAsync(cancellationToken)).ConfigureAwait(false);

        Task TimeAsync(string stage, Func<Task> call) => StageTimer.TimeAsync(output, stage, iterations, call);
    }
}
