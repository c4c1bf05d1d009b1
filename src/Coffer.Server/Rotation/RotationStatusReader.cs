using Coffer.Core.Rotation;
using Coffer.Core.Secrets;
using Coffer.Server.Api;
using Coffer.Storage;

namespace Coffer.Server.Rotation;

/// <summary>Every secret of a namespace with its age, due date and rotation state; overdue first.</summary>
internal sealed class RotationStatusReader(ISecretStore secrets, ISecretRotationStore rotations, RotationSettings settings)
{
    public async Task<IReadOnlyList<RotationStatusItem>> ListAsync(string @namespace, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nsPolicy = await settings.GetNamespacePolicyAsync(@namespace, cancellationToken).ConfigureAwait(false);
        var policies = await settings.ListSecretPoliciesAsync(@namespace, cancellationToken).ConfigureAwait(false);
        var states = (await rotations.ListAsync(@namespace, cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Address.Name, StringComparer.Ordinal);
        var notifyBefore = RotationSettings.NotifyBeforeOf(nsPolicy);
        var items = new List<RotationStatusItem>();
        string? after = null;
        do
        {
            var page = await secrets.ListAsync(@namespace, new SecretListQuery(after, 500, false, null), cancellationToken).ConfigureAwait(false);
            foreach (var metadata in page.Items)
            {
                var stored = await secrets.GetVersionAsync(metadata.Address, null, cancellationToken).ConfigureAwait(false);
                var since = stored?.Version?.CreatedAt ?? metadata.UpdatedAt;
                policies.TryGetValue(metadata.Address.Name, out var policy);
                var period = RotationSettings.PeriodOf(policy, nsPolicy);
                var due = RotationSchedule.DueAt(since, period);
                states.TryGetValue(metadata.Address.Name, out var state);
                var label = state?.Status switch
                {
                    RotationStatus.InProgress => "Rotating",
                    RotationStatus.Failed => "Failed",
                    _ => RotationSchedule.Classify(due, notifyBefore, now).ToString(),
                };
                items.Add(new RotationStatusItem(
                    @namespace,
                    metadata.Address.Name,
                    metadata.CurrentVersion,
                    DurationText.Format(TimeSpan.FromSeconds(Math.Max(0, Math.Floor((now - since).TotalSeconds)))),
                    since,
                    due,
                    DurationText.Format(period),
                    label,
                    policy is not null,
                    state?.Status == RotationStatus.Failed ? state.Error : null));
            }

            after = page.Next;
        }
        while (after is not null);

        return RotationSchedule.Order(items, i => i.DueAt, i => i.Name);
    }

    public static RotationStatusList ToList(IReadOnlyList<RotationStatusItem> items, DateTimeOffset now) =>
        new(ApiJson.ApiVersion, "RotationStatusList", items.Count(i => i.DueAt <= now), items);
}
