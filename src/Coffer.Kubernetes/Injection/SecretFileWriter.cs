using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Coffer.Kubernetes.Operator;

namespace Coffer.Kubernetes.Injection;

/// <summary>
/// <c>coffer k8s fetch</c>: logs in with the pod's own service-account token and writes the requested secrets into the
/// in-memory volume, one file per key (mode 0640, readable through the pod's fsGroup). With a watch, it rewrites them
/// whenever Coffer says they changed; each file is replaced by a rename, so readers never see half a value.
/// </summary>
internal sealed partial class SecretFileWriter(CofferConnection coffer, string role, string outputDirectory)
{
    private const UnixFileMode ReadableByGroup = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public async Task WriteAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        var data = await coffer.GetSecretAsync(role, request.Namespace, request.Name, cancellationToken).ConfigureAwait(false);
        var folder = Path.Combine(outputDirectory, request.Alias);
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        foreach (var (key, value) in data.Values)
        {
            if (!SafeKey().IsMatch(key) || key is "." or "..")
            {
                throw new InvalidDataException($"key '{key}' of {request.Namespace}/{request.Name} cannot be a file name");
            }

            var staging = Path.Combine(folder, $".{key}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
            await using (var file = new FileStream(staging, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = ReadableByGroup }))
            {
                await file.WriteAsync(value, cancellationToken).ConfigureAwait(false);
            }

            File.Move(staging, Path.Combine(folder, key), overwrite: true);
        }
    }

    /// <summary>Writes everything once, then (with <paramref name="watch"/>) keeps it current until cancelled.</summary>
    public async Task RunAsync(IReadOnlyList<FetchRequest> requests, bool watch, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            await WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (!watch)
        {
            return;
        }

        await Task.WhenAll(requests.GroupBy(r => r.Namespace).Select(group => FollowAsync(group.Key, [.. group], cancellationToken))).ConfigureAwait(false);
    }

    private async Task FollowAsync(string ns, List<FetchRequest> requests, CancellationToken cancellationToken)
    {
        long? revision = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in coffer.WatchAsync(role, ns, revision, null, cancellationToken).ConfigureAwait(false))
                {
                    var resumed = revision is null;
                    revision = change.Revision;
                    foreach (var request in requests.Where(r => resumed || (!change.IsBookmark && r.Name == change.Name)))
                    {
                        await WriteAsync(request, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is CofferRequestFailed or HttpRequestException or IOException)
            {
                if (e is CofferRequestFailed { Status: System.Net.HttpStatusCode.Unauthorized })
                {
                    coffer.Forget(role);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    [GeneratedRegex("^[-._a-zA-Z0-9]{1,253}$")]
    private static partial Regex SafeKey();
}
