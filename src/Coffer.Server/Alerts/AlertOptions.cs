using Coffer.Core.Errors;

namespace Coffer.Server.Alerts;

/// <summary>
/// The irregular-access rules evaluated over the audit stream. A threshold of 0 (or a false switch) turns a rule off.
/// </summary>
public sealed record AlertOptions
{
    /// <summary>Denied requests from one identity within <see cref="DeniedBurstWindow"/> that raise an alert.</summary>
    public int DeniedBurstThreshold { get; init; } = 10;

    public TimeSpan DeniedBurstWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>An identity reading a secret it has not read for this long (or ever) raises an alert; zero turns it off.</summary>
    public TimeSpan NewSecretReadAfter { get; init; } = TimeSpan.FromDays(30);

    /// <summary>More distinct secrets than this read by one identity within <see cref="DistinctSecretsWindow"/> raises an alert.</summary>
    public int DistinctSecretsThreshold { get; init; } = 50;

    public TimeSpan DistinctSecretsWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A service-account identity seen from a source address it has not used before raises an alert.</summary>
    public bool NewServiceAccountSource { get; init; } = true;

    /// <summary>Every request made with a root token raises an alert.</summary>
    public bool RootTokenUse { get; init; } = true;

    /// <summary>Where alerts are posted as Slack-compatible JSON (<c>{"text": ...}</c>); none: log and metric only.</summary>
    public Uri? WebhookUrl { get; init; }

    public void Validate()
    {
        if (DeniedBurstThreshold < 0 || DistinctSecretsThreshold < 0)
        {
            throw CofferException.Invalid("InvalidAlertOptions", "alert thresholds must be 0 (off) or more", "alerts");
        }

        if (DeniedBurstWindow <= TimeSpan.Zero || DistinctSecretsWindow <= TimeSpan.Zero || NewSecretReadAfter < TimeSpan.Zero)
        {
            throw CofferException.Invalid("InvalidAlertOptions", "alert windows must be positive durations", "alerts");
        }

        if (WebhookUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http")))
        {
            throw CofferException.Invalid("InvalidAlertOptions", "the alert webhook must be an absolute http or https URL", "alert-webhook");
        }
    }
}
