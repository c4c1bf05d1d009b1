using System.Text.Json.Nodes;

namespace Coffer.Cli.Tests;

/// <summary>The coffer binary is configured for short-lived commands; deploy/ turns the same switches back on for servers.</summary>
public sealed class RuntimeConfigTests
{
    [Theory]
    [InlineData("System.Runtime.TieredPGO")]
    [InlineData("System.Runtime.TieredCompilation.QuickJitForLoops")]
    public void RuntimeConfig_ShortLivedCommands_SwitchOff(string property)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "coffer.runtimeconfig.json")))!;

        Assert.False(config["runtimeOptions"]!["configProperties"]![property]!.GetValue<bool>());
    }
}
