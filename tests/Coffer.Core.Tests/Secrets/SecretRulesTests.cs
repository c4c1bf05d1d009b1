using Coffer.Core.Errors;
using Coffer.Core.Secrets;

namespace Coffer.Core.Tests.Secrets;

public sealed class SecretRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly SecretAddress Address = new("default", "db");

    private static SecretWrite Write(long? expected = null, string type = SecretTypes.Opaque, bool immutable = false, int? maxVersions = null) =>
        new(Address, type, null, null, immutable, maxVersions, expected, "tester", At);

    [Fact]
    public void ApplyWrite_NewSecret_StartsAtVersionOneWithDefaults()
    {
        var created = SecretRules.ApplyWrite(null, Write());
        Assert.Equal(1, created.CurrentVersion);
        Assert.Equal(SecretMetadata.DefaultMaxVersions, created.MaxVersions);
    }

    [Fact]
    public void ApplyWrite_Existing_IncrementsVersion()
    {
        var v1 = SecretRules.ApplyWrite(null, Write());
        Assert.Equal(2, SecretRules.ApplyWrite(v1, Write()).CurrentVersion);
    }

    [Fact]
    public void ApplyWrite_StaleExpectedVersion_ThrowsConflict()
    {
        var v2 = SecretRules.ApplyWrite(SecretRules.ApplyWrite(null, Write()), Write());
        var error = Assert.Throws<CofferException>(() => SecretRules.ApplyWrite(v2, Write(expected: 1)));
        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Equal("VersionConflict", error.Reason);
        Assert.Equal(3, SecretRules.ApplyWrite(v2, Write(expected: 2)).CurrentVersion);
    }

    [Fact]
    public void ApplyWrite_CreateOnlyOnExisting_ThrowsConflict()
    {
        var v1 = SecretRules.ApplyWrite(null, Write(expected: 0));
        Assert.Equal("VersionConflict", Assert.Throws<CofferException>(() => SecretRules.ApplyWrite(v1, Write(expected: 0))).Reason);
    }

    [Fact]
    public void ApplyWrite_Immutable_ThrowsConflict()
    {
        var v1 = SecretRules.ApplyWrite(null, Write(immutable: true));
        Assert.Equal("SecretImmutable", Assert.Throws<CofferException>(() => SecretRules.ApplyWrite(v1, Write())).Reason);
    }

    [Fact]
    public void ApplyWrite_Deleted_ThrowsConflict()
    {
        var deleted = SecretRules.ApplyWrite(null, Write()) with { DeletedAt = At };
        Assert.Equal("SecretDeleted", Assert.Throws<CofferException>(() => SecretRules.ApplyWrite(deleted, Write())).Reason);
    }

    [Fact]
    public void ApplyWrite_TypeChange_ThrowsInvalid()
    {
        var v1 = SecretRules.ApplyWrite(null, Write());
        var error = Assert.Throws<CofferException>(() => SecretRules.ApplyWrite(v1, Write(type: SecretTypes.BasicAuth)));
        Assert.Equal("type", error.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SecretMetadata.MaxMaxVersions + 1)]
    public void ApplyWrite_MaxVersionsOutOfRange_ThrowsInvalid(int max) =>
        Assert.Equal("maxVersions", Assert.Throws<CofferException>(() => SecretRules.ApplyWrite(null, Write(maxVersions: max))).Field);

    [Fact]
    public void OldestKeptVersion_KeepsMaxVersions()
    {
        var metadata = SecretRules.ApplyWrite(null, Write(maxVersions: 3)) with { CurrentVersion = 7 };
        Assert.Equal(5, SecretRules.OldestKeptVersion(metadata));
        Assert.Equal(1, SecretRules.OldestKeptVersion(metadata with { CurrentVersion = 2 }));
    }

    [Fact]
    public void ApplyMetadata_NullRemovesAndValueSets()
    {
        var v1 = SecretRules.ApplyWrite(null, Write()) with { Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } };
        var change = new SecretChange(Address, SecretChangeKind.Metadata, [], new Dictionary<string, string?> { ["a"] = null, ["c"] = "3" }, null, null, "tester", At);
        var patched = SecretRules.ApplyMetadata(v1, change);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, patched.Labels);
        Assert.Equal(v1.CurrentVersion, patched.CurrentVersion);
    }
}
