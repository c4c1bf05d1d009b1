namespace Coffer.Kubernetes.Operator;

/// <summary>The Ready condition, whose transition time moves only when its status does.</summary>
internal static class StatusConditions
{
    public const string Ready = "Ready";

    public static IReadOnlyList<CofferSecretCondition> WithReady(CofferSecretStatus? previous, bool ready, string reason, string message, DateTimeOffset now)
    {
        var status = ready ? "True" : "False";
        var before = previous?.Conditions?.FirstOrDefault(c => c.Type == Ready);
        var since = before is not null && before.Status == status ? before.LastTransitionTime : now;
        return [.. (previous?.Conditions ?? []).Where(c => c.Type != Ready), new CofferSecretCondition(Ready, status, reason, message, since)];
    }
}
