using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Server;
using Microsoft.Extensions.Logging;

namespace Coffer.Benchmarks;

/// <summary>A dev-mode Coffer server in this process and a keep-alive client that holds its root token.</summary>
internal sealed class CofferTarget : IAsyncDisposable
{
    public const string Namespace = "bench";
    public const string SecretName = "s200";
    private const string RootTokenPrefix = "Root token: ";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly RunningServer server;
    private readonly HttpClient client;
    private readonly string folder;
    private readonly byte[] writeBody;
    private readonly Uri trivial;
    private readonly Uri secret;

    private CofferTarget(RunningServer server, HttpClient client, string folder, string token, byte[] writeBody)
    {
        this.server = server;
        Token = token;
        this.client = client;
        this.folder = folder;
        this.writeBody = writeBody;
        trivial = new Uri(server.Address, "/healthz");
        secret = new Uri(server.Address, $"/v1/namespaces/{Namespace}/secrets/{SecretName}");
    }

    public Uri Address => server.Address;

    public string Token { get; }

    public string DatabasePath => Path.Combine(folder, "data", Coffer.Storage.Sqlite.SqliteStorage.FileName);

    public IServiceProvider Services => server.Services;

    public static async Task<CofferTarget> StartAsync(int payloadBytes, CancellationToken cancellationToken, bool audit = true)
    {
        var folder = Directory.CreateTempSubdirectory("coffer-bench-").FullName;
        var output = new StringWriter();
        var options = new CofferServerOptions
        {
            Dev = true,
            Listen = "127.0.0.1:0",
            DataDirectory = Path.Combine(folder, "data"),
            // Per-request console logging would be measured instead of the server.
            LogLevel = LogLevel.Warning,
            Audit = audit,
        };
        var server = await CofferServer.StartAsync(options, output, cancellationToken).ConfigureAwait(false);
        var token = output.ToString().Split('\n').Single(l => l.StartsWith(RootTokenPrefix, StringComparison.Ordinal))[RootTokenPrefix.Length..].Trim();
        var client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            MaxConnectionsPerServer = int.MaxValue,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            DefaultRequestVersion = HttpVersion.Version11,
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var data = Convert.ToBase64String(RandomNumberGenerator.GetBytes(payloadBytes));
        var target = new CofferTarget(server, client, folder, token, Encoding.UTF8.GetBytes($"{{\"data\":{{\"value\":\"{data}\"}}}}"));
        using (var ns = new StringContent($"{{\"name\":\"{Namespace}\"}}", Encoding.UTF8, "application/json"))
        using (var created = await client.PostAsync(new Uri(server.Address, "/v1/namespaces"), ns, cancellationToken).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(created, cancellationToken).ConfigureAwait(false);
        }

        await target.WriteAsync(cancellationToken).ConfigureAwait(false);
        await target.CheckReadAsync(payloadBytes, cancellationToken).ConfigureAwait(false);
        return target;
    }

    public async Task TrivialAsync(CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(trivial, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task ReadAsync(CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(secret, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Any GET, whatever its status: for comparing the cost of pipeline stages.</summary>
    public async Task GetStatusAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri(server.Address, path), cancellationToken).ConfigureAwait(false);
        await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(writeBody);
        content.Headers.ContentType = Json;
        using var response = await client.PutAsync(secret, content, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Any PUT of a JSON body, whatever its status: for comparing the cost of pipeline stages.</summary>
    public async Task PutStatusAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var response = await client.PutAsync(new Uri(server.Address, path), content, cancellationToken).ConfigureAwait(false);
        await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await server.DisposeAsync().ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Proves the read phase really returns the secret, not an error body of similar size.</summary>
    private async Task CheckReadAsync(int payloadBytes, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(secret, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        var value = Convert.FromBase64String(document.RootElement.GetProperty("data").GetProperty("value").GetString()!);
        if (value.Length != payloadBytes)
        {
            throw new InvalidOperationException($"the seeded secret holds {value.Length} bytes, not {payloadBytes}");
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
        }
    }
}
