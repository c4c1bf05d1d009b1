using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Coffer.Server.Audit;
using Coffer.Server.Hosting;
using Coffer.Server.Metrics;

namespace Coffer.Server.Alerts;

/// <summary>
/// Runs the alert rules over the audit stream off the request path: requests hand over their entry and move on; one
/// reader evaluates them in order and raises each alert to the log, a metric and the webhook.
/// </summary>
internal sealed class AlertDispatcher : BackgroundService
{
    private const int MaxQueued = 100_000;
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];
    private readonly Channel<AuditEntry> entries = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly AlertRules rules;
    private readonly AlertOptions options;
    private readonly CofferMetrics metrics;
    private readonly ILogger logger;
    private readonly string? auditPath;
    private readonly HttpClient? webhook;
    private readonly Queue<AccessAlert> recent = new();

    public AlertDispatcher(AlertOptions options, CofferMetrics metrics, ILoggerFactory loggers, string? auditPath)
    {
        this.options = options;
        this.metrics = metrics;
        this.auditPath = auditPath;
        rules = new AlertRules(options);
        logger = loggers.CreateLogger("Coffer.Alerts");
        webhook = options.WebhookUrl is null ? null : new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Alerts raised so far, newest last (bounded); for the API and tests.</summary>
    public IReadOnlyList<AccessAlert> Recent
    {
        get
        {
            lock (recent)
            {
                return [.. recent];
            }
        }
    }

    public void Observe(AuditEntry entry) => entries.Writer.TryWrite(entry);

    public override void Dispose()
    {
        webhook?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        Learn();
        await foreach (var entry in entries.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            foreach (var alert in rules.Evaluate(entry))
            {
                await RaiseAsync(alert, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads the audit log's past, so that after a restart known readers and addresses are not news.</summary>
    private void Learn()
    {
        if (auditPath is null || !File.Exists(auditPath))
        {
            return;
        }

        try
        {
            foreach (var line in File.ReadLines(auditPath))
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.TryGetProperty("entry", out var element) && element.Deserialize(AuditJsonContext.Default.AuditEntry) is { } entry)
                {
                    rules.Learn(entry);
                }
            }
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            // Alerts still work, only without the history: a learning gap is better than no alerts.
            ServerLog.AlertHistoryUnreadable(logger, e.GetType().Name);
        }
    }

    private async Task RaiseAsync(AccessAlert alert, CancellationToken cancellationToken)
    {
        ServerLog.AlertRaised(logger, alert.Rule, alert.Identity, alert.Message);
        metrics.AlertRaised(alert.Rule);
        lock (recent)
        {
            recent.Enqueue(alert);
            while (recent.Count > 1000)
            {
                recent.Dequeue();
            }
        }

        if (webhook is null)
        {
            return;
        }

        var payload = new SlackMessage($"Coffer alert [{alert.Rule}] {alert.Identity}: {alert.Message} (at {alert.At:O})");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await webhook.PostAsJsonAsync(options.WebhookUrl, payload, AlertJsonContext.Default.SlackMessage, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                ServerLog.AlertWebhookFailed(logger, alert.Rule, $"HTTP {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                ServerLog.AlertWebhookFailed(logger, alert.Rule, e.GetType().Name);
            }

            if (attempt >= Backoff.Length)
            {
                return;
            }

            await Task.Delay(Backoff[attempt], cancellationToken).ConfigureAwait(false);
        }
    }
}
