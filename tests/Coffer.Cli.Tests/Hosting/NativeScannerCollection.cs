namespace Coffer.Cli.Tests.Hosting;

/// <summary>The test classes that run coffer-scan share one published binary (publishing takes about a minute).</summary>
[CollectionDefinition(Name)]
public sealed class NativeScannerCollection : ICollectionFixture<NativeScanner>
{
    public const string Name = "native scanner";
}
