using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using V2;

namespace Coffer.Kubernetes.Kms;

/// <summary>The KMS v2 service kube-apiserver calls over the unix socket.</summary>
internal sealed class KeyManagementGrpcService(IKmsBackend backend, ILogger<KeyManagementGrpcService> logger)
    : KeyManagementService.KeyManagementServiceBase
{
    public const string ApiVersion = "v2";
    public const string Healthy = "ok";

    public override async Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        var health = await backend.GetHealthAsync(context.CancellationToken).ConfigureAwait(false);
        return new StatusResponse { Version = ApiVersion, Healthz = health.Problem ?? Healthy, KeyId = health.KeyId ?? string.Empty };
    }

    public override async Task<EncryptResponse> Encrypt(EncryptRequest request, ServerCallContext context)
    {
        try
        {
            var wrapped = await backend.EncryptAsync(request.Plaintext.Memory, context.CancellationToken).ConfigureAwait(false);
            return new EncryptResponse { Ciphertext = UnsafeByteOperations.UnsafeWrap(wrapped.Ciphertext), KeyId = wrapped.KeyId };
        }
        catch (KmsUnavailableException e)
        {
            KmsLog.Unavailable(logger, "Encrypt", request.Uid, e.Message);
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
        catch (CryptographicException)
        {
            KmsLog.Refused(logger, "Encrypt", request.Uid, string.Empty);
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the plaintext must be 1 to {Crypto.Envelope.DataKeyWrapper.MaxDataKeyLength} bytes"));
        }
    }

    public override async Task<DecryptResponse> Decrypt(DecryptRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.KeyId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "key_id is required"));
        }

        try
        {
            var plaintext = await backend.DecryptAsync(request.KeyId, request.Ciphertext.Memory, context.CancellationToken).ConfigureAwait(false);
            return new DecryptResponse { Plaintext = UnsafeByteOperations.UnsafeWrap(plaintext) };
        }
        catch (KmsUnavailableException e)
        {
            KmsLog.Unavailable(logger, "Decrypt", request.Uid, e.Message);
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
        catch (CryptographicException)
        {
            KmsLog.Refused(logger, "Decrypt", request.Uid, request.KeyId);
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the ciphertext does not decrypt under the key id given"));
        }
    }
}
