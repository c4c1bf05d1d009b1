using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Coffer.Server.Rotation;
using Coffer.Server.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Rotation;

/// <summary>The rotation protocol over the real API on a dev server with SQLite, driven by a clock the test moves.</summary>
public sealed class RotationApiTests : IAsyncLifetime
{
    private const string Secret = "/v1/namespaces/team-a/secrets/api-key";
    private const string Rotation = "/v1/namespaces/team-a/rotation/secrets/api-key";
    private const string GeneratePolicy = """{"period":"30d","rotator":"generate","generate":[{"kind":"password","key":"password","length":24}]}""";

    private readonly ManualTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private TestServer server = null!;
    private WebhookReceiver webhook = null!;

    public async Task InitializeAsync()
    {
        server = await TestServer.StartDevAsync(clock);
        webhook = await WebhookReceiver.StartAsync();
        await server.CreateNamespacesAsync("team-a");
        await server.PutSecretAsync("team-a", "api-key", new Dictionary<string, string> { ["password"] = "first", ["user"] = "app" });
    }

    public async Task DisposeAsync()
    {
        await webhook.DisposeAsync();
        await server.DisposeAsync();
    }

    private RotationScheduler Scheduler => server.Server.Services.GetRequiredService<RotationScheduler>();

    private Task<HttpResponseMessage> StepAsync(string step, string token) =>
        server.SendJsonAsync(HttpMethod.Post, $"{Rotation}/steps/{step}", $$"""{"token":"{{token}}"}""");

    private async Task<Dictionary<string, string>> StageAsync(string stage) =>
        (await server.GetJsonAsync($"{Secret}?stage={stage}"))["data"]!.AsObject()
            .ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)kv.Value!)));

    [Fact]
    public async Task Rotate_Finished_PromotedVersionReachesTheWatchStream()
    {
        using (await server.PutJsonAsync(Rotation, GeneratePolicy))
        {
        }

        using (var rotate = await server.SendJsonAsync(HttpMethod.Post, $"{Rotation}/rotate", "{}"))
        {
            Assert.True(rotate.IsSuccessStatusCode, await rotate.Content.ReadAsStringAsync());
        }

        using var watch = await server.Client.GetAsync("/v1/watch/namespaces/team-a/secrets?revision=1&timeoutSeconds=0");
        var events = (await watch.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

        // The operator learns of a promotion as of any write: version 2 of api-key, pushed, not polled.
        Assert.Contains(events, e => (string?)e["name"] == "api-key" && (long?)e["version"] == 2);
    }

    [Fact]
    public async Task Steps_EachRetriedWithTheSameToken_RotateExactlyOnce()
    {
        using (await server.PutJsonAsync(Rotation, GeneratePolicy))
        {
        }

        foreach (var step in new[] { "create", "create" })
        {
            using var response = await StepAsync(step, "tok-1");
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var pending = await StageAsync("pending");
        Assert.Equal(pending, await StageAsync("pending"));
        Assert.Equal("first", (await StageAsync("current"))["password"]);
        Assert.Equal("first", (await server.GetSecretAsync("team-a", "api-key")).Values["password"]);
        Assert.Equal(24, pending["password"].Length);
        Assert.Equal("app", pending["user"]);

        foreach (var step in new[] { "set", "set", "test", "test", "finish", "finish" })
        {
            using var response = await StepAsync(step, "tok-1");
            Assert.True(response.IsSuccessStatusCode, $"{step}: {await response.Content.ReadAsStringAsync()}");
        }

        var (version, current) = await server.GetSecretAsync("team-a", "api-key");
        Assert.Equal(2, version);
        Assert.Equal(pending, current);
        Assert.Equal("first", (await StageAsync("previous"))["password"]);
        await TestServer.AssertErrorAsync(await server.Client.GetAsync($"{Secret}?stage=pending"), 404, "NoPendingVersion");
        Assert.Equal(2, (await server.GetJsonAsync($"{Secret}/versions"))["items"]!.AsArray().Count);
        var rotation = await server.GetJsonAsync(Rotation);
        Assert.Equal("Finished", (string?)rotation["status"]);
        Assert.Equal(1, (long)rotation["previousVersion"]!);
    }

    [Fact]
    public async Task Finish_BeforeTest_IsRefusedAndCurrentStays()
    {
        using (await server.PutJsonAsync(Rotation, GeneratePolicy))
        {
        }

        using (await StepAsync("create", "tok-2"))
        {
        }

        await TestServer.AssertErrorAsync(await StepAsync("finish", "tok-2"), 409, "RotationNotTested");
        await TestServer.AssertErrorAsync(await StepAsync("test", "tok-2"), 409, "RotationStepOrder");
        await TestServer.AssertErrorAsync(await StepAsync("set", "other-token"), 409, "RotationTokenMismatch");
        await TestServer.AssertErrorAsync(await StepAsync("create", "other-token"), 409, "RotationInProgress");
        Assert.Equal(1, (await server.GetSecretAsync("team-a", "api-key")).Version);
    }

    [Fact]
    public async Task Webhook_FailedTest_LeavesCurrentAndReportsWhy_ThenRetrySucceedsWithoutSettingTwice()
    {
        using (await server.PutJsonAsync(Rotation, $$"""{"rotator":"webhook","webhook":{"url":"{{webhook.Url}}"},"generate":[{"kind":"bytes","key":"password","bytes":16,"encoding":"hex"}]}"""))
        {
        }

        webhook.Answers["test"] = 503;
        var error = await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, $"{Rotation}/rotate", """{"token":"hook-1"}"""), 409, "RotationStepFailed");
        Assert.Contains("webhook test", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Contains("503", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Equal("first", (await server.GetSecretAsync("team-a", "api-key")).Values["password"]);
        var failed = await server.GetJsonAsync(Rotation);
        Assert.Equal("Failed", (string?)failed["status"]);
        Assert.Contains("503", (string)failed["error"]!, StringComparison.Ordinal);

        webhook.Answers["test"] = 200;
        var rotated = await server.PostJsonAsync($"{Rotation}/rotate", """{"token":"hook-1"}""");
        Assert.Equal("Finished", (string?)rotated["status"]);
        var current = (await server.GetSecretAsync("team-a", "api-key")).Values["password"];
        Assert.Equal(32, current.Length);
        Assert.Equal(1, webhook.Count("set"));
        Assert.Equal(2, webhook.Count("test"));
        var set = webhook.Received.First(r => (string?)r["step"] == "set");
        Assert.Equal(current, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)set["data"]!["password"]!)));
        Assert.Equal(2, (long)set["version"]!);
    }

    [Fact]
    public async Task Webhook_PreviousRevokedByTheSchedulerAfterTheGracePeriod()
    {
        using (await server.PutJsonAsync(Rotation, $$"""{"rotator":"webhook","webhook":{"url":"{{webhook.Url}}"},"revokePreviousAfter":"2h","generate":[{"kind":"password","key":"password"}]}"""))
        {
        }

        await server.PostJsonAsync($"{Rotation}/rotate", "{}");
        await Scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, webhook.Count("revoke"));

        clock.Advance(TimeSpan.FromHours(3));
        await Scheduler.RunOnceAsync(CancellationToken.None);
        await Scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, webhook.Count("revoke"));
        var revoke = webhook.Received.Single(r => (string?)r["step"] == "revoke");
        Assert.Equal("first", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)revoke["data"]!["password"]!)));
        Assert.Null((await server.GetJsonAsync(Rotation))["revokePreviousAt"]);
    }

    [Fact]
    public async Task Rollout_StartedHoldsThePreviousCredentialPastTheGrace_CompleteRevokesItAtOnce()
    {
        using (await server.PutJsonAsync(Rotation, $$"""{"rotator":"webhook","webhook":{"url":"{{webhook.Url}}"},"revokePreviousAfter":"2h","generate":[{"kind":"password","key":"password"}]}"""))
        {
        }

        await server.PostJsonAsync($"{Rotation}/rotate", "{}");
        var started = await server.PostJsonAsync($"{Rotation}/rollout", """{"version":2,"state":"Started","workloads":["Deployment/team-a/web"]}""");
        clock.Advance(TimeSpan.FromHours(3));
        await Scheduler.RunOnceAsync(CancellationToken.None);
        var revokesWhileRolling = webhook.Count("revoke");

        var complete = await server.PostJsonAsync($"{Rotation}/rollout", """{"version":2,"state":"Complete"}""");
        var again = await server.PostJsonAsync($"{Rotation}/rollout", """{"version":2,"state":"Complete"}""");

        Assert.Equal("held", (string?)started["revocation"]);
        Assert.Equal(0, revokesWhileRolling);
        Assert.Equal("revoked", (string?)complete["revocation"]);
        Assert.Equal(1, webhook.Count("revoke"));
        Assert.Equal("none", (string?)again["revocation"]);
        Assert.Null((await server.GetJsonAsync(Rotation))["revokePreviousAt"]);
    }

    [Fact]
    public async Task Rollout_OfAnotherVersion_OrWithoutARotation_ChangesNothing()
    {
        using (await server.PutJsonAsync(Rotation, $$"""{"rotator":"webhook","webhook":{"url":"{{webhook.Url}}"},"revokePreviousAfter":"2h","generate":[{"kind":"password","key":"password"}]}"""))
        {
        }

        var before = await server.PostJsonAsync($"{Rotation}/rollout", """{"version":2,"state":"Complete"}""");
        await server.PostJsonAsync($"{Rotation}/rotate", "{}");
        var due = (string?)(await server.GetJsonAsync(Rotation))["revokePreviousAt"];
        var stale = await server.PostJsonAsync($"{Rotation}/rollout", """{"version":1,"state":"Complete"}""");

        Assert.Equal("none", (string?)before["revocation"]);
        Assert.Equal("none", (string?)stale["revocation"]);
        Assert.Equal(0, webhook.Count("revoke"));
        Assert.Equal(due, (string?)(await server.GetJsonAsync(Rotation))["revokePreviousAt"]);
    }

    [Theory]
    [InlineData("""{"version":0,"state":"Started"}""")]
    [InlineData("""{"version":2,"state":"Done"}""")]
    [InlineData("""{"version":"2","state":"Started"}""")]
    [InlineData("""{"version":2}""")]
    [InlineData("""{"version":2,"state":"Started","extra":1}""")]
    [InlineData("""not json""")]
    public async Task Rollout_BadReport_Answers400(string body)
    {
        using var response = await server.SendJsonAsync(HttpMethod.Post, $"{Rotation}/rollout", body);

        await TestServer.AssertErrorAsync(response, 400);
    }

    [Fact]
    public async Task Scheduler_RotatesWhenDue_AndCountsOverdue()
    {
        using (await server.PutJsonAsync(Rotation, GeneratePolicy))
        {
        }

        await server.PutSecretAsync("team-a", "manual", new Dictionary<string, string> { ["k"] = "v" });
        long? observed = null;
        using var listener = new MeterListener();
        var meter = server.Server.Services.GetRequiredService<RotationMetrics>().Meter;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == RotationMetrics.OverdueInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => observed = value);
        listener.Start();

        await Scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, (await server.GetSecretAsync("team-a", "api-key")).Version);

        clock.Advance(TimeSpan.FromDays(31));
        await Scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, (await server.GetSecretAsync("team-a", "api-key")).Version);
        listener.RecordObservableInstruments();
        Assert.Equal(0, observed);

        clock.Advance(TimeSpan.FromDays(60));
        await Scheduler.RunOnceAsync(CancellationToken.None);
        listener.RecordObservableInstruments();
        Assert.Equal(1, observed);
        var status = await server.GetJsonAsync("/v1/namespaces/team-a/rotation");
        Assert.Equal(1, (int)status["overdue"]!);
        var items = status["items"]!.AsArray();
        Assert.Equal(["manual", "api-key"], items.Select(i => (string)i!["name"]!));
        Assert.Equal("Overdue", (string?)items[0]!["state"]);
        Assert.False((bool)items[0]!["scheduled"]!);
        Assert.Equal("Ok", (string?)items[1]!["state"]);
    }

    [Fact]
    public async Task Scheduler_DueSoon_NotifiesOncePerDueDate()
    {
        using (await server.PutJsonAsync("/v1/namespaces/team-a/rotation/policy", $$"""{"defaultPeriod":"10d","notifyBefore":"3d","notifyWebhook":"{{webhook.Url}}"}"""))
        {
        }

        await Scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, webhook.Count("RotationDue"));
        clock.Advance(TimeSpan.FromDays(8));
        await Scheduler.RunOnceAsync(CancellationToken.None);
        await Scheduler.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, webhook.Count("RotationDue"));
        var notice = webhook.Received.Single();
        Assert.Equal("api-key", (string?)notice["name"]);
        Assert.Equal("DueSoon", (string?)notice["state"]);
        Assert.Null(notice["data"]);
    }

    [Fact]
    public async Task NamingPolicy_Enforce_RejectsWithTheRule_WarnOnlyWarns()
    {
        using (await server.PutJsonAsync("/v1/namespaces/team-a/rotation/policy", """{"naming":{"namePattern":"app-[a-z]+","requiredLabels":["team"],"mode":"enforce"}}"""))
        {
        }

        var error = await TestServer.AssertErrorAsync(await server.PutJsonAsync("/v1/namespaces/team-a/secrets/db", """{"stringData":{"k":"v"}}"""), 400, "NamingPolicyViolation");
        Assert.Contains("app-[a-z]+", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Contains("label team is required", (string)error["message"]!, StringComparison.Ordinal);
        await TestServer.AssertErrorAsync(await server.Client.GetAsync("/v1/namespaces/team-a/secrets/db"), 404);
        using (var ok = await server.PutJsonAsync("/v1/namespaces/team-a/secrets/app-db", """{"metadata":{"labels":{"team":"a"}},"stringData":{"k":"v"}}"""))
        {
            Assert.True(ok.IsSuccessStatusCode);
        }

        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Patch, "/v1/namespaces/team-a/secrets/app-db/metadata", """{"labels":{"team":null}}"""), 400, "NamingPolicyViolation");

        using (await server.PutJsonAsync("/v1/namespaces/team-a/rotation/policy", """{"naming":{"requiredLabels":["team"],"mode":"warn"}}"""))
        {
        }

        using var warned = await server.PutJsonAsync("/v1/namespaces/team-a/secrets/db", """{"stringData":{"k":"v"}}""");
        Assert.True(warned.IsSuccessStatusCode);
        Assert.Equal("299 - \"label team is required\"", Assert.Single(warned.Headers.GetValues("Warning")));
    }

    [Theory]
    [InlineData("""{"rotator":"generate"}""", "InvalidRotationPolicy")]
    [InlineData("""{"rotator":"generate","generate":[{"kind":"password","key":"p","length":3}]}""", "InvalidPasswordPolicy")]
    [InlineData("""{"rotator":"generate","generate":[{"kind":"rsa","key":"k","bits":1000}]}""", "InvalidGenerator")]
    [InlineData("""{"rotator":"webhook","webhook":{"url":"http://example.com/hook"},"generate":[{"kind":"bytes","key":"k"}]}""", "InvalidUrl")]
    [InlineData("""{"rotator":"postgres","postgres":{"connectionSecret":"pg","strategy":"alternating","usernames":["a"]}}""", "InvalidRotationPolicy")]
    [InlineData("""{"period":"forever","rotator":"generate","generate":[{"kind":"bytes","key":"k"}]}""", "InvalidField")]
    [InlineData("""{"rotator":"generate","unknown":1}""", null)]
    [InlineData("""{"rotator":7}""", null)]
    [InlineData("""[]""", null)]
    public async Task PutPolicy_BadInput_Is400AndNothingStored(string body, string? reason)
    {
        await TestServer.AssertErrorAsync(await server.PutJsonAsync(Rotation, body), 400, reason);
        Assert.Null((await server.GetJsonAsync(Rotation))["policy"]);
    }

    [Theory]
    [InlineData("create", """{"token":"has space"}""")]
    [InlineData("create", """{"token":""}""")]
    [InlineData("create", """{}""")]
    [InlineData("launch", """{"token":"t"}""")]
    public async Task Step_BadInput_Is400(string step, string body)
    {
        using (await server.PutJsonAsync(Rotation, GeneratePolicy))
        {
        }

        await TestServer.AssertErrorAsync(await server.SendJsonAsync(HttpMethod.Post, $"{Rotation}/steps/{step}", body), 400);
        Assert.Null((await server.GetJsonAsync(Rotation))["status"]);
    }

    [Theory]
    [InlineData("?stage=latest")]
    [InlineData("?stage=pending&version=1")]
    public async Task StagedRead_BadInput_Is400(string query) =>
        await TestServer.AssertErrorAsync(await server.Client.GetAsync(Secret + query), 400);

    [Fact]
    public async Task PutPolicy_OversizedBody_Is413()
    {
        var huge = $$"""{"rotator":"generate","generate":[{"kind":"bytes","key":"{{new string('k', 70_000)}}"}]}""";
        var response = await server.PutJsonAsync(Rotation, huge);
        Assert.Equal(413, (int)response.StatusCode);
    }
}
