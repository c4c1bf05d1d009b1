using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coffer.Kubernetes.Webhook;

namespace Coffer.Kubernetes.Tests.Webhook;

/// <summary>
/// Environment variables, asked for explicitly per container: the command is wrapped in /bin/sh, which exports the
/// keys from the in-memory files and execs the original; only paths reach the pod spec. The script runs here for real.
/// </summary>
public sealed class EnvInjectionTests : IDisposable
{
    private static readonly InjectionOptions Options = new("ghcr.io/coffer/coffer:1.0", "https://coffer.coffer-system.svc:8200");
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-env-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static JsonObject Review(string? env, JsonArray? command)
    {
        var review = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Webhook", "Recorded", "pod-asks-for-secrets.json")))!.AsObject();
        var pod = review["request"]!["object"]!;
        if (env is not null)
        {
            pod["metadata"]!["annotations"]!["coffer.dev/env-app"] = env;
        }

        var app = pod["spec"]!["containers"]![0]!.AsObject();
        if (command is not null)
        {
            app["command"] = command;
        }

        app["args"] = new JsonArray("--port", "8080");
        return review;
    }

    private static JsonObject Response(JsonObject review) => PodInjection.Review(Encoding.UTF8.GetBytes(review.ToJsonString()), Options)["response"]!.AsObject();

    private static JsonArray Patch(JsonObject response) =>
        JsonNode.Parse(Convert.FromBase64String(response["patch"]!.GetValue<string>()))!.AsArray();

    [Fact]
    public void Review_EnvAsked_WrapsOnlyThatContainersCommand_WithPathsNotValues()
    {
        var patch = Patch(Response(Review("DB_PASSWORD=db/password,API_KEY=api/key", new JsonArray("/app/server", "--verbose"))));

        var replace = Assert.Single(patch, op => op!["op"]!.GetValue<string>() == "replace")!;
        var command = replace["value"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal("/spec/containers/0/command", replace["path"]!.GetValue<string>());
        Assert.Equal(["/bin/sh", "-c"], command[..2]);
        Assert.Equal(["coffer-env", "/app/server", "--verbose"], command[3..]);
        Assert.Contains("'/coffer/secrets/db/password'", command[2], StringComparison.Ordinal);
        Assert.Contains("export API_KEY", command[2], StringComparison.Ordinal);
        Assert.DoesNotContain(patch, op => op!["path"]!.GetValue<string>().StartsWith("/spec/containers/0/args", StringComparison.Ordinal));
    }

    [Fact]
    public void Review_NoEnvAnnotation_LeavesTheCommandAlone()
    {
        var patch = Patch(Response(Review(null, new JsonArray("/app/server"))));

        Assert.DoesNotContain(patch, op => op!["op"]!.GetValue<string>() == "replace");
    }

    [Fact]
    public async Task WrappedCommand_RunByShell_SeesTheExactValues_EvenHostileOnes_AndKeepsItsArguments()
    {
        var hostile = "p a'ss\"$(touch " + Path.Combine(folder, "pwned") + ")`id`;-canary-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Directory.CreateDirectory(Path.Combine(folder, "db"));
        await File.WriteAllTextAsync(Path.Combine(folder, "db", "password"), hostile);
        var patch = Patch(Response(Review("DB_PASSWORD=db/password", new JsonArray("/bin/sh", "-c", "printf '%s|%s %s' \"$DB_PASSWORD\" \"$1\" \"$2\"", "script"))));
        var command = patch.Single(op => op!["op"]!.GetValue<string>() == "replace")!["value"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        // The container's argv: command then args; the files live under the test's folder instead of /coffer/secrets.
        var argv = command.Select(a => a.Replace(PodInjection.MountPath, folder, StringComparison.Ordinal)).Concat(["--port", "8080"]).ToList();

        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        argv.Skip(1).ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal($"{hostile}|--port 8080", output);
        Assert.False(File.Exists(Path.Combine(folder, "pwned")));
    }

    [Fact]
    public async Task WrappedCommand_FileMissing_FailsInsteadOfStartingWithoutTheSecret()
    {
        var patch = Patch(Response(Review("DB_PASSWORD=db/password", new JsonArray("/bin/echo", "started"))));
        var command = patch.Single(op => op!["op"]!.GetValue<string>() == "replace")!["value"]!.AsArray().Select(a => a!.GetValue<string>().Replace(PodInjection.MountPath, folder, StringComparison.Ordinal)).ToList();

        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        command.Skip(1).ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.NotEqual(0, process.ExitCode);
        Assert.DoesNotContain("started", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DB_PASSWORD=db/password", false, "must set command")]
    [InlineData("1X=db/password", true, "NAME=alias/key")]
    [InlineData("X=db/$(reboot)", true, "NAME=alias/key")]
    [InlineData("X=db/..", true, "NAME=alias/key")]
    [InlineData("X=db/password,X=api/key", true, "NAME=alias/key")]
    [InlineData("X=db", true, "NAME=alias/key")]
    [InlineData("X=nope/password", true, "alias nope")]
    [InlineData(",", true, "names no variable")]
    public void Review_EnvAskedBadly_IsDeniedWithAReason(string env, bool withCommand, string expected)
    {
        var response = Response(Review(env, withCommand ? new JsonArray("/app/server") : null));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(400, response["status"]!["code"]!.GetValue<int>());
        Assert.Contains(expected, response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Review_EnvForAContainerThatDidNotAskForSecrets_IsDenied()
    {
        var review = Review(null, null);
        review["request"]!["object"]!["metadata"]!["annotations"]!["coffer.dev/env-metrics"] = "X=db/password";

        var response = Response(review);

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Contains("coffer.dev/containers", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
