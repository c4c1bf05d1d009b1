using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Crypto.Envelope;

namespace Coffer.Kubernetes.Kms;

/// <summary>
/// Forwards to a Coffer server's <c>/v1/kms</c> endpoints with the plugin's own token, so the key ring stays in the
/// server. Sealed (503), unreachable or refusing the token: unhealthy, and operations fail as unavailable.
/// </summary>
public sealed class CofferServerKmsBackend : IKmsBackend, IDisposable
{
    private readonly HttpClient http;

    /// <param name="trustedCa">When given, the server's certificate must chain to this CA (and only to it).</param>
    public CofferServerKmsBackend(Uri server, string token, X509Certificate2? trustedCa = null, HttpMessageHandler? handler = null)
    {
        handler ??= trustedCa is null ? null : new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, errors) => ChainsTo(trustedCa, certificate, errors) },
        };
        http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = server;
        http.Timeout = TimeSpan.FromSeconds(10);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<KmsHealth> GetHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var status = await SendAsync(HttpMethod.Get, "/v1/kms/status", null, cancellationToken).ConfigureAwait(false);
            return new KmsHealth(Text(status, "keyId"), null);
        }
        catch (KmsUnavailableException e)
        {
            return new KmsHealth(null, e.Message);
        }
        catch (CryptographicException)
        {
            return new KmsHealth(null, "the coffer server gave an unexpected answer");
        }
    }

    public async Task<WrappedDataKey> EncryptAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["plaintext"] = Convert.ToBase64String(plaintext.Span) };
        var result = await SendAsync(HttpMethod.Post, "/v1/kms/encrypt", body, cancellationToken).ConfigureAwait(false);
        return new WrappedDataKey(Text(result, "keyId"), Bytes(result, "ciphertext"));
    }

    public async Task<byte[]> DecryptAsync(string keyId, ReadOnlyMemory<byte> ciphertext, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["ciphertext"] = Convert.ToBase64String(ciphertext.Span), ["keyId"] = keyId };
        var result = await SendAsync(HttpMethod.Post, "/v1/kms/decrypt", body, cancellationToken).ConfigureAwait(false);
        return Bytes(result, "plaintext");
    }

    public void Dispose() => http.Dispose();

    private static bool ChainsTo(X509Certificate2 ca, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return chain.Build(leaf);
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new KmsUnavailableException($"the coffer server is unreachable ({e.HttpRequestError})", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KmsUnavailableException("the coffer server did not answer in time", e);
        }

        using (response)
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    try
                    {
                        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))
                            ?? throw new CryptographicException("empty answer");
                    }
                    catch (JsonException)
                    {
                        throw new CryptographicException("the coffer server's answer is not JSON");
                    }

                case HttpStatusCode.BadRequest:
                    throw new CryptographicException("the coffer server refused the ciphertext or key id");
                case HttpStatusCode.ServiceUnavailable:
                    throw new KmsUnavailableException("coffer is sealed");
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    throw new KmsUnavailableException($"the coffer server refused the plugin's token ({(int)response.StatusCode})");
                default:
                    throw new KmsUnavailableException($"the coffer server answered {(int)response.StatusCode}");
            }
        }
    }

    private static string Text(JsonNode node, string field) =>
        node[field] is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0 ? text : throw new CryptographicException($"the answer has no {field}");

    private static byte[] Bytes(JsonNode node, string field)
    {
        try
        {
            return Convert.FromBase64String(Text(node, field));
        }
        catch (FormatException)
        {
            throw new CryptographicException($"the answer's {field} is not base64");
        }
    }
}
