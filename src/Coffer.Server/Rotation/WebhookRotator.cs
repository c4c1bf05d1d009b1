using System.Text;
using System.Text.Json;
using Coffer.Core.Secrets;

namespace Coffer.Server.Rotation;

/// <summary>
/// Any system plugs in through HTTP: set, test and revoke are POSTed to the policy's URL with the version's values;
/// a 2xx answer is success. Answers' bodies are not read, so nothing the endpoint echoes reaches a log or an error.
/// </summary>
internal sealed class WebhookRotator(GenerateOnlyRotator generator, RotationHttp http) : IRotator
{
    public bool RevokesPrevious => true;

    public Task<SecretData> CreatePendingAsync(RotationContext context, SecretData current, CancellationToken cancellationToken) =>
        generator.CreatePendingAsync(context, current, cancellationToken);

    public Task SetAsync(RotationContext context, SecretData current, SecretData pending, CancellationToken cancellationToken) =>
        PostAsync(context, "set", context.Version, pending, cancellationToken);

    public Task TestAsync(RotationContext context, SecretData pending, CancellationToken cancellationToken) =>
        PostAsync(context, "test", context.Version, pending, cancellationToken);

    public Task RevokePreviousAsync(RotationContext context, SecretData previous, CancellationToken cancellationToken) =>
        PostAsync(context, "revoke", context.Version - 1, previous, cancellationToken);

    private async Task PostAsync(RotationContext context, string step, long version, SecretData data, CancellationToken cancellationToken)
    {
        var url = new Uri(context.Policy.Webhook!.Url);
        var encoded = data.Values.ToDictionary(kv => kv.Key, kv => Convert.ToBase64String(kv.Value), StringComparer.Ordinal);
        var body = JsonSerializer.Serialize(
            new WebhookStepRequest(step, context.Address.Namespace, context.Address.Name, context.Token, version, encoded),
            RotationJsonContext.Default.WebhookStepRequest);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.Client.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw RotationFailure.Step($"webhook {step} could not reach {url.GetLeftPart(UriPartial.Path)}: {e.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw RotationFailure.Step($"webhook {step} at {url.GetLeftPart(UriPartial.Path)} did not answer in time");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw RotationFailure.Step($"webhook {step} at {url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}");
            }
        }
    }
}
