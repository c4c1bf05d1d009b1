namespace Coffer.Server.Tests.Hosting;

/// <summary>Waits for something asynchronous by polling with a deadline, never by sleeping a fixed time.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? TimeSpan.FromSeconds(30));
        while (!done())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> done, string what, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await done())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public static async Task<T> ForAsync<T>(Func<T?> probe, string what)
        where T : class
    {
        T? found = null;
        await UntilAsync(() => (found = probe()) is not null, what);
        return found!;
    }
}
