using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Cli.Client;

/// <summary>JSON over HTTP to a Coffer server; failures become <see cref="CofferApiException"/> with the server's message.</summary>
internal sealed class CofferClient : IDisposable
{
    private readonly HttpClient http;

    public CofferClient(ConnectionSettings settings, HttpMessageHandler? handler)
    {
        Settings = settings;
        http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = settings.Address;
        if (settings.Token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        }
    }

    public ConnectionSettings Settings { get; }

    public static string SecretPath(string ns, string name, string? suffix = null) =>
        $"/v1/namespaces/{Uri.EscapeDataString(ns)}/secrets/{Uri.EscapeDataString(name)}{suffix}";

    public static string SecretsPath(string ns) => $"/v1/namespaces/{Uri.EscapeDataString(ns)}/secrets";

    public static string VersionsQuery(IEnumerable<long> versions)
    {
        var list = string.Join(',', versions.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        return list.Length == 0 ? string.Empty : $"?versions={list}";
    }

    public Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, null, cancellationToken);

    public Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body, string? ifMatch, CancellationToken cancellationToken) =>
        SendAsync(method, path, body?.ToJsonString(), "application/json", ifMatch, cancellationToken);

    /// <summary>Sends a text body of any media type, such as YAML manifests.</summary>
    public async Task<JsonNode> SendAsync(HttpMethod method, string path, string? body, string mediaType, string? ifMatch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, mediaType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(CliExitCode.Unavailable, $"cannot reach Coffer at {Settings.Address}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(CliExitCode.Unavailable, $"Coffer at {Settings.Address} did not answer in time");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var document = Parse(text);
            if (response.IsSuccessStatusCode)
            {
                return document ?? throw new CliException(CliExitCode.Error, $"{method} {path} answered {(int)response.StatusCode} without a JSON body");
            }

            var status = (int)response.StatusCode;
            if (document is JsonObject error && error["kind"]?.GetValueKind() == JsonValueKind.String && (string?)error["kind"] == "Status")
            {
                var message = error["message"] is { } m && m.GetValueKind() == JsonValueKind.String ? (string)m! : $"the server answered {status}";
                var reason = error["reason"] is { } r && r.GetValueKind() == JsonValueKind.String ? (string?)r : null;
                throw new CofferApiException(status, reason, message);
            }

            throw new CofferApiException(status, null, $"the server answered {status} {response.ReasonPhrase}");
        }
    }

    public void Dispose() => http.Dispose();

    private static JsonNode? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
