using Coffer.Server.Audit;

namespace Coffer.Server.Tests.Audit;

public sealed class AuditIdTests
{
    [Fact]
    public void New_AnyTime_IsAVersion7UuidCarryingTheMilliseconds()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123);
        var id = AuditId.New(now);

        Assert.Matches("^[0-9a-f]{32}$", id);
        var guid = Guid.ParseExact(id, "N");
        Assert.Equal(7, guid.Version);
        Assert.InRange(Convert.ToInt32(id[16..17], 16), 8, 11);
        Assert.Equal(now.ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
    }

    [Fact]
    public void New_ManyInTheSameMillisecond_AllDifferent()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123);
        var ids = Enumerable.Range(0, 10_000).Select(_ => AuditId.New(now)).ToHashSet();
        Assert.Equal(10_000, ids.Count);
    }

    [Fact]
    public async Task New_ManyOnSeveralThreads_AllDifferent()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123);
        var batches = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 2_000).Select(_ => AuditId.New(now)).ToList())));
        Assert.Equal(16_000, batches.SelectMany(b => b).ToHashSet().Count);
    }
}
