using Coffer.Kubernetes.Injection;
using Coffer.Kubernetes.Operator;
using Coffer.Kubernetes.Tests.Operator;

namespace Coffer.Kubernetes.Tests.Injection;

/// <summary>The injected fetcher against a real Coffer: files per key, owner and group only, kept current by the watch.</summary>
public sealed class SecretFileWriterTests : IAsyncLifetime
{
    private OperatorWorld world = null!;
    private string folder = null!;

    public async Task InitializeAsync()
    {
        world = await OperatorWorld.StartAsync();
        folder = Directory.CreateTempSubdirectory("coffer-fetch-").FullName;
    }

    public async Task DisposeAsync()
    {
        await world.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private SecretFileWriter Writer(HttpClient http) =>
        new(new CofferConnection(http, _ => Task.FromResult(world.ServiceAccountJwt()), TimeProvider.System), "team-a", folder);

    [Fact]
    public async Task Run_WritesOneFilePerKey_ThenRewritesOnChange()
    {
        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "first", ["user"] = "app" });
        using var http = new HttpClient { BaseAddress = world.Coffer.Address };
        using var stop = new CancellationTokenSource();
        var running = Writer(http).RunAsync([FetchRequest.Parse("db=team-a/db")], watch: true, stop.Token);
        var password = Path.Combine(folder, "db", "password");
        var user = Path.Combine(folder, "db", "user");
        await OperatorWorld.EventuallyAsync(() => File.Exists(password) && File.Exists(user) && File.ReadAllText(password) == "first", "first write");

        Assert.Equal("app", await File.ReadAllTextAsync(user));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(password));

        await world.WriteCofferAsync("team-a", "db", new Dictionary<string, string> { ["password"] = "second", ["user"] = "app" });
        await OperatorWorld.EventuallyAsync(() => File.ReadAllText(password) == "second", "rewritten after the change");
        Assert.Equal(["password", "user"], Directory.GetFiles(Path.Combine(folder, "db")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Run_OtherNamespacesSecret_IsRefusedAndWritesNothing()
    {
        await world.WriteCofferAsync("team-b", "db", new Dictionary<string, string> { ["password"] = "team-b-only" });
        using var http = new HttpClient { BaseAddress = world.Coffer.Address };

        var error = await Assert.ThrowsAsync<CofferRequestFailed>(() => Writer(http).RunAsync([FetchRequest.Parse("db=team-b/db")], watch: false, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.Status);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Theory]
    [InlineData("db")]
    [InlineData("db=team-a")]
    [InlineData("../x=team-a/db")]
    [InlineData("db=team-a/db/extra")]
    public void Parse_Malformed_Refused(string text) => Assert.Throws<ArgumentException>(() => FetchRequest.Parse(text));
}
