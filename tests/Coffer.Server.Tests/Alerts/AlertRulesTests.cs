using Coffer.Server.Alerts;
using Coffer.Server.Audit;

namespace Coffer.Server.Tests.Alerts;

/// <summary>Each rule fires on its pattern, once, and stays quiet on the normal traffic around it.</summary>
public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly AlertRules rules = new(new AlertOptions());

    [Fact]
    public void Evaluate_TenDenialsWithinAMinute_RaisesOneDeniedBurst()
    {
        var alerts = Enumerable.Range(0, 15).SelectMany(i => rules.Evaluate(Denied("mallory", Start.AddSeconds(i * 3)))).ToList();

        var alert = Assert.Single(alerts);
        Assert.Equal(AlertRules.DeniedBurst, alert.Rule);
        Assert.Equal("mallory", alert.Identity);
    }

    [Fact]
    public void Evaluate_DenialsSpreadOverAnHour_StaysQuiet()
    {
        var alerts = Enumerable.Range(0, 30).SelectMany(i => rules.Evaluate(Denied("alice", Start.AddMinutes(i * 2)))).ToList();

        Assert.Empty(alerts);
    }

    [Fact]
    public void Evaluate_ReadOfASecretNotReadForThirtyDays_RaisesNewSecretRead()
    {
        var first = rules.Evaluate(Read("app", "shop", "db", Start));
        var again = rules.Evaluate(Read("app", "shop", "db", Start.AddDays(10)));
        var later = rules.Evaluate(Read("app", "shop", "db", Start.AddDays(41)));

        Assert.Equal(AlertRules.NewSecretRead, Assert.Single(first).Rule);
        Assert.Empty(again);
        Assert.Equal(AlertRules.NewSecretRead, Assert.Single(later).Rule);
    }

    [Fact]
    public void Evaluate_SecretsReadBefore_LearnedFromTheLog_AreNotNews()
    {
        rules.Learn(Read("app", "shop", "db", Start));

        Assert.Empty(rules.Evaluate(Read("app", "shop", "db", Start.AddDays(1))));
    }

    [Fact]
    public void Evaluate_MoreThanFiftyDistinctSecretsInFiveMinutes_RaisesDistinctSecretsOnce()
    {
        var quiet = new AlertRules(new AlertOptions { NewSecretReadAfter = TimeSpan.Zero });
        var alerts = Enumerable.Range(0, 80).SelectMany(i => quiet.Evaluate(Read("scraper", "shop", $"s{i}", Start.AddSeconds(i)))).ToList();

        var alert = Assert.Single(alerts);
        Assert.Equal(AlertRules.DistinctSecrets, alert.Rule);
        Assert.Contains("51 distinct", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_TheSameFewSecretsReadAllDay_StaysQuietAfterTheFirstReads()
    {
        var alerts = Enumerable.Range(0, 2000).SelectMany(i => rules.Evaluate(Read("app", "shop", $"s{i % 5}", Start.AddSeconds(i * 30)))).ToList();

        // Only the first read of each of the five secrets is news.
        Assert.Equal(5, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(AlertRules.NewSecretRead, a.Rule));
    }

    [Fact]
    public void Evaluate_ServiceAccountFromANewAddress_RaisesNewSource()
    {
        const string sa = "system:serviceaccount:shop:api";
        var home = Enumerable.Range(0, 5).SelectMany(i => rules.Evaluate(Read(sa, "shop", "db", Start.AddMinutes(i), "10.0.0.7"))).ToList();
        var moved = rules.Evaluate(Read(sa, "shop", "db", Start.AddMinutes(10), "203.0.113.9"));

        Assert.DoesNotContain(home, a => a.Rule == AlertRules.NewServiceAccountSource);
        var alert = Assert.Single(moved, a => a.Rule == AlertRules.NewServiceAccountSource);
        Assert.Contains("203.0.113.9", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_PeopleFromManyAddresses_RaiseNoNewSource()
    {
        var alerts = Enumerable.Range(0, 5).SelectMany(i => rules.Evaluate(Read("alice", "shop", "db", Start.AddMinutes(i), $"10.0.0.{i}"))).ToList();

        Assert.DoesNotContain(alerts, a => a.Rule == AlertRules.NewServiceAccountSource);
    }

    [Fact]
    public void Evaluate_RootToken_RaisesRootTokenUseAndOthersDoNot()
    {
        var root = rules.Evaluate(Read("root", "shop", "db", Start) with { Root = true });
        var other = rules.Evaluate(Read("root-like-user", "shop", "db", Start));

        Assert.Contains(root, a => a.Rule == AlertRules.RootTokenUse);
        Assert.DoesNotContain(other, a => a.Rule == AlertRules.RootTokenUse);
    }

    [Fact]
    public void Evaluate_RootTokenUsedAllTheTime_OneAlertAMinuteCountingTheUses()
    {
        var alerts = Enumerable.Range(0, 600).SelectMany(i => rules.Evaluate(Read("root", "shop", "db", Start.AddSeconds(i * 0.5)) with { Root = true }))
            .Where(a => a.Rule == AlertRules.RootTokenUse).ToList();

        Assert.Equal(5, alerts.Count);
        Assert.Contains("119 more uses", alerts[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_DisabledRules_StayQuiet()
    {
        var off = new AlertRules(new AlertOptions { DeniedBurstThreshold = 0, DistinctSecretsThreshold = 0, NewSecretReadAfter = TimeSpan.Zero, NewServiceAccountSource = false, RootTokenUse = false });
        var alerts = Enumerable.Range(0, 100).SelectMany(i => off.Evaluate(i % 2 == 0 ? Denied("x", Start.AddSeconds(i)) : Read("system:serviceaccount:a:b", "shop", $"s{i}", Start.AddSeconds(i), $"10.1.0.{i}") with { Root = true })).ToList();

        Assert.Empty(alerts);
    }

    [Fact]
    public void Validate_NegativeThresholdOrRelativeWebhook_IsRejected()
    {
        Assert.Throws<Coffer.Core.Errors.CofferException>(() => new AlertOptions { DeniedBurstThreshold = -1 }.Validate());
        Assert.Throws<Coffer.Core.Errors.CofferException>(() => new AlertOptions { WebhookUrl = new Uri("/hook", UriKind.Relative) }.Validate());
        Assert.Throws<Coffer.Core.Errors.CofferException>(() => new AlertOptions { WebhookUrl = new Uri("file:///etc/passwd") }.Validate());
    }

    private static AuditEntry Read(string user, string ns, string name, DateTimeOffset at, string source = "10.0.0.1") =>
        Entry(user, at, source) with { Verb = "get", Resource = "secrets", Namespace = ns, Name = name, Status = 200, Decision = "allow" };

    private static AuditEntry Denied(string user, DateTimeOffset at) =>
        Entry(user, at, "10.0.0.1") with { Verb = "get", Resource = "secrets", Namespace = "shop", Name = "db", Status = 403, Decision = "deny" };

    private static AuditEntry Entry(string user, DateTimeOffset at, string source) =>
        new() { Seq = 0, Id = Guid.NewGuid().ToString("N"), Time = at, Kind = AuditEntry.RequestKind, Prev = string.Empty, Stage = "ResponseComplete", User = user, Source = source };
}
