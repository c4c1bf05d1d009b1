using System.Security.Cryptography;
using Coffer.Core.Errors;
using Coffer.Crypto.Envelope;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Seal;

namespace Coffer.Server.Kms;

/// <summary>
/// Wrapping for a KMS v2 plugin that forwards here (<c>coffer k8s kms-plugin --server</c>): the key-encryption key
/// stays in the server. While sealed the seal gate answers 503, which the plugin reports as unhealthy.
/// </summary>
internal static class KmsEndpoints
{
    private const int MaxBodyBytes = 8 * 1024;

    public static void Map(IEndpointRouteBuilder routes)
    {
        var kms = routes.MapGroup("/v1/kms").WithTags("KMS");
        kms.MapGet("/status", (SealState seal) => Results.Json(new KmsStatusResponse(DataKeyWrapper.KeyIdOf(seal.Ring.Current)), ApiJsonContext.Default.KmsStatusResponse))
            .RequireAccess("get", "kms").Produces<KmsStatusResponse>();
        kms.MapPost("/encrypt", EncryptAsync).RequireAccess("encrypt", "kms").Accepts<KmsEncryptRequest>("application/json").Produces<KmsEncryptResponse>();
        kms.MapPost("/decrypt", DecryptAsync).RequireAccess("decrypt", "kms").Accepts<KmsDecryptRequest>("application/json").Produces<KmsDecryptResponse>();
    }

    private static async Task EncryptAsync(HttpContext context, SealState seal)
    {
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.KmsEncryptRequest, MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var plaintext = Base64(request.Plaintext, "plaintext");
        try
        {
            WrappedDataKey wrapped;
            try
            {
                wrapped = DataKeyWrapper.Wrap(seal.Ring, plaintext);
            }
            catch (CryptographicException)
            {
                throw CofferException.Invalid("InvalidField", $"plaintext must be 1 to {DataKeyWrapper.MaxDataKeyLength} bytes", "plaintext");
            }

            context.Response.Headers.CacheControl = "no-store";
            await ApiJson.WriteAsync(context.Response, new KmsEncryptResponse(Convert.ToBase64String(wrapped.Ciphertext), wrapped.KeyId), ApiJsonContext.Default.KmsEncryptResponse, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static async Task DecryptAsync(HttpContext context, SealState seal)
    {
        var request = await ApiJson.ReadAsync(context.Request, ApiJsonContext.Default.KmsDecryptRequest, MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var ciphertext = Base64(request.Ciphertext, "ciphertext");
        var keyId = string.IsNullOrEmpty(request.KeyId) ? throw CofferException.Invalid("MissingField", "keyId is required", "keyId") : request.KeyId;
        byte[] plaintext;
        try
        {
            plaintext = DataKeyWrapper.Unwrap(seal.Ring, keyId, ciphertext);
        }
        catch (CryptographicException)
        {
            try
            {
                // Another replica may have rotated since this one unsealed.
                plaintext = DataKeyWrapper.Unwrap(await seal.RefreshRingAsync(context.RequestAborted).ConfigureAwait(false), keyId, ciphertext);
            }
            catch (CryptographicException)
            {
                throw CofferException.Invalid("KmsDecryptFailed", "the ciphertext does not decrypt under the key id given", "ciphertext");
            }
        }

        try
        {
            context.Response.Headers.CacheControl = "no-store";
            await ApiJson.WriteAsync(context.Response, new KmsDecryptResponse(Convert.ToBase64String(plaintext)), ApiJsonContext.Default.KmsDecryptResponse, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] Base64(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw CofferException.Invalid("MissingField", $"{field} is required", field);
        }

        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw CofferException.Invalid("InvalidBase64", $"{field} is not valid base64", field);
        }
    }
}
