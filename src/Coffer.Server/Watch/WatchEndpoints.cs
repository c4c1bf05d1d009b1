using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Coffer.Core.Errors;
using Coffer.Core.Naming;
using Coffer.Server.Auth;
using Coffer.Server.Seal;
using Coffer.Storage;

namespace Coffer.Server.Watch;

/// <summary>
/// <c>GET /v1/watch/namespaces/{namespace}/secrets?revision=N</c>: newline-delimited JSON events, one per change after
/// revision N (names and versions, never values), then new ones as they commit. Bookmarks carry the revision to resume from.
/// </summary>
internal static class WatchEndpoints
{
    public const string PathPrefix = "/v1/watch";
    public const string Route = PathPrefix + "/namespaces/{namespace}/secrets";
    public const int MaxTimeoutSeconds = 3600;
    public const string ContentType = "application/x-ndjson";

    /// <summary>The last line of a stream whose unread changes were pruned: read everything again, then watch from the newest.</summary>
    public const string ExpiredType = "expired";

    private const int Batch = 500;

    /// <summary>How long a stream waits without a local write before it looks again (writes from other replicas, bookmarks).</summary>
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(1);

    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapGet(Route, WatchAsync).RequireAccess("watch", Secrets.SecretEndpoints.Resource).WithTags("Secrets");

    private static async Task WatchAsync(HttpContext context, ISecretChangeLog changes, SecretChangeSignal signal, SealState seal)
    {
        var ns = (string)context.Request.RouteValues["namespace"]!;
        KubernetesNames.ValidateNamespace(ns);
        var query = context.Request.Query;
        var timeout = TimeSpan.FromSeconds(Number(query["timeoutSeconds"], "timeoutSeconds", MaxTimeoutSeconds) ?? 1800);
        var resume = Number(query["revision"], "revision", long.MaxValue);
        if (resume is { } asked && await changes.PrunedThroughAsync(context.RequestAborted).ConfigureAwait(false) is var pruned && asked < pruned)
        {
            // As Kubernetes answers a too old resourceVersion: the client must read everything again, then watch.
            throw new CofferException(
                ErrorKind.Gone,
                "Expired",
                $"revision {asked.ToString(CultureInfo.InvariantCulture)} is older than the change log keeps (changes through {pruned.ToString(CultureInfo.InvariantCulture)} were pruned); read the secrets again and watch from the newest revision");
        }

        var revision = resume ?? await changes.LatestRevisionAsync(context.RequestAborted).ConfigureAwait(false);

        context.Response.ContentType = ContentType;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (timeout > TimeSpan.Zero)
        {
            deadline.CancelAfter(timeout);
        }
        var body = context.Response.BodyWriter;
        var lastBookmark = -1L;
        try
        {
            while (!seal.IsSealed)
            {
                var wake = signal.Next;

                // Changes this stream has not read yet were pruned: go on and it would skip them, so it ends as a resume would (410).
                if (revision < await changes.PrunedThroughAsync(deadline.Token).ConfigureAwait(false))
                {
                    Write(body, ExpiredType, revision, null);
                    await body.FlushAsync(deadline.Token).ConfigureAwait(false);
                    return;
                }

                // Read the newest revision first: every change up to it has committed, so a bookmark at it skips nothing.
                var latest = await changes.LatestRevisionAsync(deadline.Token).ConfigureAwait(false);
                IReadOnlyList<SecretChangeRecord> page;
                do
                {
                    page = await changes.ReadAsync(ns, revision, Batch, deadline.Token).ConfigureAwait(false);
                    foreach (var change in page)
                    {
                        Write(body, change.Kind, change.Revision, change);
                        revision = change.Revision;
                    }
                }
                while (page.Count == Batch);

                if (latest > revision)
                {
                    revision = latest;
                }

                if (revision != lastBookmark)
                {
                    Write(body, "bookmark", revision, null);
                    lastBookmark = revision;
                }

                await body.FlushAsync(deadline.Token).ConfigureAwait(false);
                if (timeout == TimeSpan.Zero)
                {
                    // timeoutSeconds=0: what has happened so far, then the end (a catch-up read).
                    return;
                }

                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token))
                {
                    var recheck = Task.Delay(IdleRecheck, idle.Token);
                    await Task.WhenAny(wake, recheck).ConfigureAwait(false);
                    await idle.CancelAsync().ConfigureAwait(false);
                }

                deadline.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // The client left or the timeout passed: the stream simply ends, and the client resumes from its last revision.
        }
    }

    private static void Write(System.IO.Pipelines.PipeWriter body, string type, long revision, SecretChangeRecord? change)
    {
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteNumber("revision", revision);
            if (change is not null)
            {
                json.WriteString("namespace", change.Namespace);
                json.WriteString("name", change.Name);
                json.WriteNumber("version", change.Version);
                json.WriteString("at", change.At);
            }

            json.WriteEndObject();
        }

        body.Write("\n"u8);
    }

    private static long? Number(Microsoft.Extensions.Primitives.StringValues text, string field, long max) => text.Count switch
    {
        0 => null,
        1 when long.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= max => value,
        _ => throw CofferException.Invalid("InvalidField", $"{field} must be an integer from 0 to {max.ToString(CultureInfo.InvariantCulture)}", field),
    };
}
