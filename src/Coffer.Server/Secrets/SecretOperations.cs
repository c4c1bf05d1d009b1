using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Coffer.Core.Errors;
using Coffer.Core.Naming;
using Coffer.Core.Secrets;
using Coffer.Crypto.Envelope;
using Coffer.Server.Audit;
using Coffer.Server.Hosting;
using Coffer.Server.Metrics;
using Coffer.Server.Seal;
using Coffer.Storage;

namespace Coffer.Server.Secrets;

/// <summary>Validates, encrypts and stores secrets; decrypts them for reads. No HTTP here.</summary>
internal sealed class SecretOperations(ISecretStore store, SealState seal, TimeProvider time, CofferMetrics metrics, Watch.SecretChangeSignal changed, ILogger<SecretOperations> logger)
{
    public async Task<SecretMetadata> PutAsync(SecretAddress address, SecretWriteRequest request, long? expectedVersion, string actor, AuditReceipt? receipt, CancellationToken cancellationToken)
    {
        CheckEnvelope(request.ApiVersion, request.Kind, "Secret");
        if (request.Metadata?.Namespace is { } ns && ns != address.Namespace)
        {
            throw CofferException.Invalid("FieldMismatch", "metadata.namespace does not match the namespace in the URL", "metadata.namespace");
        }

        if (request.Metadata?.Name is { } name && name != address.Name)
        {
            throw CofferException.Invalid("FieldMismatch", "metadata.name does not match the name in the URL", "metadata.name");
        }

        var data = DecodeData(request);
        var type = request.Type ?? SecretTypes.Opaque;
        SecretTypeRules.Validate(type, data);
        var write = new SecretWrite(
            address,
            type,
            request.Metadata?.Labels,
            request.Metadata?.Annotations,
            request.Immutable ?? false,
            request.MaxVersions,
            expectedVersion,
            actor,
            time.GetUtcNow());
        return await WriteAsync(write, data, receipt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a version; deleted, destroyed and missing versions are 404 with distinct reasons.</summary>
    public async Task<(StoredVersion Stored, SecretData Data)> GetAsync(SecretAddress address, long? version, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var stored = await store.GetVersionAsync(address, version, cancellationToken).ConfigureAwait(false);
        metrics.StorageTime("read", started);
        if (stored is null)
        {
            throw CofferException.NotFound("SecretNotFound", $"secret {address} not found");
        }

        if (stored.Secret.IsDeleted)
        {
            throw CofferException.NotFound("SecretDeleted", $"secret {address} is deleted; undelete it to read it");
        }

        var info = stored.Version ?? throw CofferException.NotFound("VersionNotFound", $"version {version ?? stored.Secret.CurrentVersion} of {address} does not exist");
        if (info.DestroyedAt is not null || stored.Payload is null)
        {
            throw CofferException.NotFound("VersionDestroyed", $"version {info.Version} of {address} is destroyed");
        }

        if (info.DeletedAt is not null)
        {
            throw CofferException.NotFound("VersionDeleted", $"version {info.Version} of {address} is deleted; undelete it to read it");
        }

        var ring = seal.Ring;
        if (ring.Find(stored.Payload.KeyId) is null)
        {
            // Wrapped under a key this replica has not seen: another replica rotated since this one unsealed.
            ring = await seal.RefreshRingAsync(cancellationToken).ConfigureAwait(false);
        }

        byte[] plaintext;
        try
        {
            plaintext = EnvelopeCipher.Open(ring, address, info.Version, stored.Payload);
        }
        catch (CryptographicException)
        {
            ServerLog.DecryptFailed(logger, address.Namespace, address.Name, info.Version);
            throw;
        }

        try
        {
            return (stored, SecretData.Decode(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Writes a new version whose data is a copy of an older one.</summary>
    public async Task<SecretMetadata> RollbackAsync(SecretAddress address, long version, long? expectedVersion, string actor, AuditReceipt? receipt, CancellationToken cancellationToken)
    {
        var (stored, data) = await GetAsync(address, version, cancellationToken).ConfigureAwait(false);
        var write = new SecretWrite(address, stored.Secret.Type, null, null, stored.Secret.Immutable, null, expectedVersion, actor, time.GetUtcNow());
        return await WriteAsync(write, data, receipt, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SecretMetadata> ChangeAsync(SecretAddress address, SecretChangeKind kind, IReadOnlyList<long> versions, MetadataPatchRequest? patch, long? expectedVersion, string actor, AuditReceipt? receipt, CancellationToken cancellationToken)
    {
        var metadata = await store.ChangeAsync(
            new SecretChange(address, kind, versions, patch?.Labels, patch?.Annotations, expectedVersion, actor, time.GetUtcNow()) { Audit = receipt?.Record },
            cancellationToken).ConfigureAwait(false);
        receipt?.MarkStored();
        changed.Notify();
        return metadata;
    }

    public async Task<SecretMetadata> GetMetadataAsync(SecretAddress address, CancellationToken cancellationToken) =>
        await store.GetMetadataAsync(address, cancellationToken).ConfigureAwait(false)
            ?? throw CofferException.NotFound("SecretNotFound", $"secret {address} not found");

    public Task<IReadOnlyList<SecretVersionInfo>> HistoryAsync(SecretAddress address, CancellationToken cancellationToken) =>
        store.GetHistoryAsync(address, cancellationToken);

    public Task<SecretPage> ListAsync(string @namespace, SecretListQuery query, CancellationToken cancellationToken)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        return store.ListAsync(@namespace, query, cancellationToken);
    }

    /// <summary>Stores the version, and with it the request's audit record when there is one (one commit for both).</summary>
    private async Task<SecretMetadata> WriteAsync(SecretWrite write, SecretData data, AuditReceipt? receipt, CancellationToken cancellationToken)
    {
        write = write with { Audit = receipt?.Record };
        var plaintext = data.Encode();
        var started = Stopwatch.GetTimestamp();
        try
        {
            // The ring is read inside the transaction, so a rotation is honoured by the very next write.
            var metadata = await store.WriteVersionAsync(
                write,
                version => EnvelopeCipher.Seal(seal.Ring, write.Address, version, plaintext),
                cancellationToken).ConfigureAwait(false);
            receipt?.MarkStored();
            changed.Notify();
            return metadata;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            metrics.StorageTime("write", started);
        }
    }

    private static SecretData DecodeData(SecretWriteRequest request)
    {
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, encoded) in request.Data ?? [])
        {
            var buffer = new byte[(encoded.Length / 4 * 3) + 3];
            if (!Convert.TryFromBase64String(encoded, buffer, out var written))
            {
                throw CofferException.Invalid("InvalidBase64", $"data[{key}] is not valid base64", $"data[{key}]");
            }

            values[key] = buffer[..written];
        }

        foreach (var (key, text) in request.StringData ?? [])
        {
            values[key] = Encoding.UTF8.GetBytes(text);
        }

        return SecretData.Create(values);
    }

    public static void CheckEnvelope(string? apiVersion, string? kind, string expectedKind)
    {
        if (apiVersion is not null && apiVersion is not ("v1" or Api.ApiJson.ApiVersion))
        {
            throw CofferException.Invalid("InvalidField", $"apiVersion must be '{Api.ApiJson.ApiVersion}' or 'v1'", "apiVersion");
        }

        if (kind is not null && kind != expectedKind)
        {
            throw CofferException.Invalid("InvalidField", $"kind must be '{expectedKind}'", "kind");
        }
    }
}
