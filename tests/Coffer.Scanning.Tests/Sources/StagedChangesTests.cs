using Coffer.Scanning.Sources;

namespace Coffer.Scanning.Tests.Sources;

public sealed class StagedChangesTests
{
    [Fact]
    public async Task ParseAsync_ZeroContextDiff_AddedLinesWithNewFileNumbers()
    {
        const string diff = """
            diff --git a/app.env b/app.env
            index 1111111..2222222 100644
            --- a/app.env
            +++ b/app.env
            @@ -3,0 +4,2 @@ HEADER
            +A=1
            +B=2
            @@ -10 +12 @@
            -OLD=1
            +NEW=1
            diff --git a/gone.txt b/gone.txt
            --- a/gone.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -bye
            """;

        var lines = await StagedChanges.ParseAsync(new StringReader(diff), CancellationToken.None);

        Assert.Equal([new SourceLine("app.env", 4, "A=1"), new SourceLine("app.env", 5, "B=2"), new SourceLine("app.env", 12, "NEW=1")], lines);
    }
}
