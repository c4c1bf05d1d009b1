using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Core.Errors;
using Coffer.Kubernetes.Sealing;
using Coffer.Server.Api;
using Coffer.Server.Auth;

namespace Coffer.Server.Sealing;

/// <summary>
/// Sealed Secrets, as the controller serves them to kubeseal: the certificate to seal to (public, so open to anyone
/// who can reach the server), and re-encrypt and validate, which open values inside the server and return none.
/// </summary>
internal static class SealingEndpoints
{
    private const int MaxBodyBytes = ManifestText.MaxChars;

    public static void Map(IEndpointRouteBuilder routes)
    {
        var sealing = routes.MapGroup("/v1/sealing").WithTags("Sealing");
        sealing.MapGet("/certificate", async (SealingKeyStore store, CancellationToken ct) =>
            Results.Text((await store.GetAsync(ct).ConfigureAwait(false)).Current.CertificatePem, "application/x-pem-file"))
            .AllowAnonymous().Produces<string>(contentType: "application/x-pem-file");
        sealing.MapPost("/rotate", RotateAsync).RequireAccess("rotate", "sealedsecrets").Accepts<JsonObject>("application/json").Produces<JsonObject>();
        sealing.MapPost("/verify", VerifyAsync).RequireAccess("verify", "sealedsecrets").Accepts<JsonObject>("application/json").Produces<SealingVerifyResponse>();

        // For the operator: the Secret a SealedSecret stands for, and the status to write back. Namespaced, so RBAC can
        // let an operator unseal only where it runs.
        routes.MapPost("/v1/namespaces/{namespace}/sealedsecrets/{name}/unseal", UnsealAsync)
            .WithTags("Sealing").RequireAccess("unseal", "sealedsecrets").Accepts<JsonObject>("application/json").Produces<JsonObject>();
    }

    private static async Task<IResult> UnsealAsync(HttpContext context, SealingKeyStore store, TimeProvider time, string @namespace, string name)
    {
        var sealedSecret = await ReadAsync(context).ConfigureAwait(false);
        if (sealedSecret["metadata"] is not JsonObject metadata
            || metadata["namespace"] is not JsonValue ns || !ns.TryGetValue<string>(out var bodyNs) || bodyNs != @namespace
            || metadata["name"] is not JsonValue n || !n.TryGetValue<string>(out var bodyName) || bodyName != name)
        {
            throw CofferException.Invalid("FieldMismatch", "metadata.namespace and metadata.name must match the URL", "metadata");
        }

        var conversion = SealedSecretUnsealer.ToSecret(sealedSecret, await store.GetAsync(context.RequestAborted).ConfigureAwait(false), time.GetUtcNow());
        if (!conversion.Succeeded)
        {
            // Perhaps sealed to a key another replica added since this one loaded.
            var retried = SealedSecretUnsealer.ToSecret(sealedSecret, await store.ReloadAsync(context.RequestAborted).ConfigureAwait(false), time.GetUtcNow());
            conversion = retried.Succeeded ? retried : conversion;
        }

        context.Response.Headers.CacheControl = "no-store";
        var answer = new JsonObject { ["secret"] = conversion.Secret, ["status"] = conversion.Status };
        return Results.Text(answer.ToJsonString(), "application/json; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<IResult> RotateAsync(HttpContext context, SealingKeyStore store)
    {
        var sealedSecret = await ReadAsync(context).ConfigureAwait(false);
        var keys = await store.GetAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            JsonObject reencrypted;
            try
            {
                reencrypted = SealedSecretReencryptor.Reencrypt(sealedSecret, keys);
            }
            catch (CryptographicException)
            {
                // Perhaps sealed to a key another replica added since this one loaded.
                reencrypted = SealedSecretReencryptor.Reencrypt(sealedSecret, await store.ReloadAsync(context.RequestAborted).ConfigureAwait(false));
            }

            return Results.Text(reencrypted.ToJsonString(), "application/json; charset=utf-8", Encoding.UTF8);
        }
        catch (ManifestException e)
        {
            throw CofferException.Invalid("InvalidSealedSecret", e.Message);
        }
        catch (CryptographicException)
        {
            throw CofferException.Conflict("CannotUnseal", "no sealing key opens this SealedSecret for its namespace, name and scope");
        }
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, SealingKeyStore store)
    {
        var sealedSecret = await ReadAsync(context).ConfigureAwait(false);
        try
        {
            var valid = SealedSecretReencryptor.Verify(sealedSecret, await store.GetAsync(context.RequestAborted).ConfigureAwait(false))
                || SealedSecretReencryptor.Verify(sealedSecret, await store.ReloadAsync(context.RequestAborted).ConfigureAwait(false));
            return valid
                ? Results.Json(new SealingVerifyResponse(true), ApiJsonContext.Default.SealingVerifyResponse)
                : throw CofferException.Conflict("CannotUnseal", "no sealing key opens this SealedSecret for its namespace, name and scope");
        }
        catch (ManifestException e)
        {
            throw CofferException.Invalid("InvalidSealedSecret", e.Message);
        }
    }

    private static async Task<JsonObject> ReadAsync(HttpContext context)
    {
        using var body = await ApiJson.ReadBodyAsync(context.Request, MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        try
        {
            return ManifestText.Parse(Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
        }
        catch (ManifestException e)
        {
            throw CofferException.Invalid("InvalidSealedSecret", e.Message);
        }
        catch (DecoderFallbackException)
        {
            throw CofferException.Invalid("InvalidSealedSecret", "the body is not UTF-8");
        }
    }
}
