using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests.Hosting;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port and its data in a temporary folder.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly string folder;
    private StringWriter? logs;

    private TestServer(RunningServer server, string folder, string output)
    {
        Server = server;
        this.folder = folder;
        Output = output;
        Client = new HttpClient { BaseAddress = server.Address };
    }

    public RunningServer Server { get; }

    public HttpClient Client { get; }

    public string Output { get; }

    public string DataDirectory => Path.Combine(folder, "data");

    public string? RootToken { get; private set; }

    public static async Task<TestServer> StartDevAsync(TimeProvider? time = null, Func<string, CofferServerOptions, CofferServerOptions>? configure = null)
    {
        var server = await StartAsync(folder =>
        {
            var options = new CofferServerOptions
            {
                Dev = true,
                Listen = "127.0.0.1:0",
                DataDirectory = Path.Combine(folder, "data"),
                LogLevel = LogLevel.Warning,
                TimeProvider = time ?? TimeProvider.System,
            };
            return configure is null ? options : configure(folder, options);
        }).ConfigureAwait(false);
        var line = server.Output.Split('\n').Single(l => l.StartsWith("Root token: ", StringComparison.Ordinal));
        server.UseToken(line["Root token: ".Length..].Trim());
        return server;
    }

    /// <summary>A production-mode server (plain HTTP on loopback), uninitialised unless the folder says otherwise.</summary>
    public static Task<TestServer> StartInsecureAsync(string? unsealKeyFile = null, string? folder = null) =>
        StartAsync(
            f => new CofferServerOptions
            {
                Listen = "127.0.0.1:0",
                DataDirectory = Path.Combine(f, "data"),
                InsecureListen = true,
                UnsealKeyFile = unsealKeyFile,
                LogLevel = LogLevel.Warning,
            },
            folder);

    public static async Task<TestServer> StartAsync(Func<string, CofferServerOptions> options, string? folder = null)
    {
        folder ??= Directory.CreateTempSubdirectory("coffer-test-").FullName;
        var output = new StringWriter();
        var logs = Coffer.Tests.Shared.LeakScanArtifacts.NewLogWriter();
        try
        {
            var chosen = options(folder);
            var server = await CofferServer.StartAsync(chosen with { LogWriter = chosen.LogWriter ?? logs }, output, CancellationToken.None).ConfigureAwait(false);
            return new TestServer(server, folder, output.ToString()) { logs = logs };
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public void UseToken(string? token)
    {
        RootToken ??= token;
        Client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
    }

    public Task<HttpResponseMessage> PutJsonAsync(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, string? json = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Client.SendAsync(request);
    }

    /// <summary>Creates namespaces; secrets can only be written into existing ones.</summary>
    public async Task CreateNamespacesAsync(params string[] names)
    {
        foreach (var name in names)
        {
            using var response = await Client.PostAsync("/v1/namespaces", new StringContent($"{{\"name\":\"{name}\"}}", Encoding.UTF8, "application/json")).ConfigureAwait(false);
            Assert.True(response.IsSuccessStatusCode, $"POST namespace {name} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
    }

    /// <summary>Applies RBAC YAML and returns the change list; fails the test on any error.</summary>
    public async Task<JsonObject> ApplyAsync(string yaml)
    {
        using var response = await Client.PostAsync("/v1/access/apply", new StringContent(yaml, Encoding.UTF8, "application/yaml")).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.IsSuccessStatusCode, $"apply failed: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Writes an Opaque secret whose values are given as text.</summary>
    public async Task<JsonObject> PutSecretAsync(string ns, string name, IReadOnlyDictionary<string, string> values, string? extra = null)
    {
        var data = string.Join(',', values.Select(kv => $"{JsonSerializer.Serialize(kv.Key)}:{JsonSerializer.Serialize(Convert.ToBase64String(Encoding.UTF8.GetBytes(kv.Value)))}"));
        using var response = await PutJsonAsync($"/v1/namespaces/{ns}/secrets/{name}", $"{{\"data\":{{{data}}}{(extra is null ? string.Empty : "," + extra)}}}").ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.IsSuccessStatusCode, $"PUT {ns}/{name} failed: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Reads a secret and decodes its values as text.</summary>
    public async Task<(long Version, Dictionary<string, string> Values)> GetSecretAsync(string ns, string name, long? version = null)
    {
        var document = await GetJsonAsync($"/v1/namespaces/{ns}/secrets/{name}{(version is null ? string.Empty : $"?version={version}")}").ConfigureAwait(false);
        var values = document["data"]!.AsObject().ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(Convert.FromBase64String(kv.Value!.GetValue<string>())));
        return (document["metadata"]!["version"]!.GetValue<long>(), values);
    }

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} failed: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public async Task<JsonObject> PostJsonAsync(string path, string json)
    {
        using var response = await SendJsonAsync(HttpMethod.Post, path, json).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.IsSuccessStatusCode, $"POST {path} failed: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        var metrics = await Coffer.Tests.Shared.LeakScanArtifacts.ScrapeMetricsAsync(Server.Address, RootToken).ConfigureAwait(false);
        Client.Dispose();
        await Server.DisposeAsync().ConfigureAwait(false);
        Coffer.Tests.Shared.LeakScanArtifacts.Keep(folder, logs, metrics);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Asserts the one error shape and returns it.</summary>
    public static async Task<JsonObject> AssertErrorAsync(HttpResponseMessage response, int status, string? reason = null)
    {
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        var error = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("Status", error["kind"]!.GetValue<string>());
        Assert.Equal(status, error["code"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        if (reason is not null)
        {
            Assert.Equal(reason, error["reason"]!.GetValue<string>());
        }

        return error;
    }
}
