using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Kubernetes.Operator;

/// <summary>
/// The operator's side of the Coffer API: Kubernetes login per role with the pod's service-account token (re-read each
/// time, as the kubelet rotates it), secret reads, and the watch stream. Tokens are cached until most of their TTL is gone.
/// </summary>
internal sealed class CofferConnection(HttpClient http, Func<CancellationToken, Task<string>> serviceAccountToken, TimeProvider time)
{
    private readonly Dictionary<string, (string Token, DateTimeOffset RenewAt)> tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim loginLock = new(1, 1);

    public async Task<string> TokenAsync(string role, CancellationToken cancellationToken)
    {
        await loginLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (tokens.TryGetValue(role, out var cached) && time.GetUtcNow() < cached.RenewAt)
            {
                return cached.Token;
            }

            var jwt = await serviceAccountToken(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/kubernetes/login")
            {
                Content = new StringContent(new JsonObject { ["role"] = role, ["jwt"] = jwt }.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            var body = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            var token = body["token"]?.GetValue<string>() ?? throw new CofferRequestFailed("the login answer holds no token");
            var now = time.GetUtcNow();
            var expires = body["expiresAt"]?.GetValue<DateTimeOffset>() ?? now.AddMinutes(5);
            tokens[role] = (token, now + ((expires - now) * 0.75));
            return token;
        }
        finally
        {
            loginLock.Release();
        }
    }

    /// <summary>Forgets a role's token, after Coffer refused it.</summary>
    public void Forget(string role)
    {
        loginLock.Wait();
        try
        {
            tokens.Remove(role);
        }
        finally
        {
            loginLock.Release();
        }
    }

    public async Task<CofferSecretData> GetSecretAsync(string role, string ns, string name, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/namespaces/{Uri.EscapeDataString(ns)}/secrets/{Uri.EscapeDataString(name)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(role, cancellationToken).ConfigureAwait(false));
        var body = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in body["data"] as JsonObject ?? [])
        {
            values[key] = Convert.FromBase64String(value!.GetValue<string>());
        }

        return new CofferSecretData(ns, name, body["metadata"]!["version"]!.GetValue<long>(), body["type"]?.GetValue<string>() ?? "Opaque", values);
    }

    /// <summary>
    /// Asks Coffer for the Secret a SealedSecret stands for (null when it cannot be unsealed) and the status to write
    /// back; the values are opened inside Coffer, under the role's permission to unseal in that namespace.
    /// </summary>
    public async Task<(JsonObject? Secret, JsonObject Status)> UnsealAsync(string role, string ns, string name, JsonObject sealedSecret, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/namespaces/{Uri.EscapeDataString(ns)}/sealedsecrets/{Uri.EscapeDataString(name)}/unseal")
        {
            Content = new StringContent(sealedSecret.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(role, cancellationToken).ConfigureAwait(false));
        var body = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return (body["secret"] as JsonObject, body["status"] as JsonObject ?? throw new CofferRequestFailed("the unseal answer holds no status"));
    }

    /// <summary>Tells Coffer the workloads using a secret's version started (or finished) rolling out; Coffer answers what it did with the previous credential.</summary>
    public async Task<string?> ReportRolloutAsync(string role, string ns, string name, long version, string state, IReadOnlyList<string> workloads, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["version"] = version, ["state"] = state, ["workloads"] = new JsonArray([.. workloads.Select(w => (JsonNode?)w)]) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/namespaces/{Uri.EscapeDataString(ns)}/rotation/secrets/{Uri.EscapeDataString(name)}/rollout")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(role, cancellationToken).ConfigureAwait(false));
        var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return answer["revocation"]?.GetValue<string>();
    }

    /// <summary>The change stream of one Coffer namespace from <paramref name="revision"/>; ends when the server ends it.</summary>
    public async IAsyncEnumerable<CofferChange> WatchAsync(string role, string ns, long? revision, TimeSpan? timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)(timeout ?? TimeSpan.FromMinutes(5)).TotalSeconds);
        var query = revision is null ? $"timeoutSeconds={seconds}" : $"revision={revision}&timeoutSeconds={seconds}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/watch/namespaces/{Uri.EscapeDataString(ns)}/secrets?{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(role, cancellationToken).ConfigureAwait(false));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, cancellationToken).ConfigureAwait(false);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var node = JsonNode.Parse(line)!;
            yield return new CofferChange(
                node["type"]!.GetValue<string>(),
                node["revision"]!.GetValue<long>(),
                node["namespace"]?.GetValue<string>(),
                node["name"]?.GetValue<string>(),
                node["version"]?.GetValue<long>());
        }
    }

    private async Task<JsonObject> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, cancellationToken).ConfigureAwait(false);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
            ?? throw new CofferRequestFailed("Coffer answered with something other than a JSON object");
    }

    private static async Task<CofferRequestFailed> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string message;
        try
        {
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            message = error?["message"]?.GetValue<string>() ?? response.ReasonPhrase ?? "request failed";
        }
        catch (JsonException)
        {
            message = response.ReasonPhrase ?? "request failed";
        }

        return new CofferRequestFailed(response.StatusCode, $"Coffer answered {(int)response.StatusCode}: {message}");
    }
}
