using Coffer.Scanning.Detection;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Tests.Rules;

/// <summary>A precondition only spares the regex lines it cannot match: it must pass every line its rule reports.</summary>
public sealed class PreconditionsTests
{
    private static readonly IReadOnlyList<DetectionRule> Guarded = [.. DefaultRules.All.Where(r => r.Precondition is not null)];

    /// <summary>Lines near the edges of what the guarded rules accept, beyond their own samples.</summary>
    private static readonly string[] EdgeLines =
    [
        "Server=db;Database=app;Password = s3cretValue9;",
        "Host=db; User Id=app ;\tPWD\t=\tabc123xyz",
        "data source=db;pwd=hunter22;password=another1",
        "password:   kube-p4ssw0rd",
        "\t password: 'abcdef12'",
        "api_token = \"\u212Aab12cd34ef\"",
        "secret: abcdef1\u212A",
        "SECRET_KEY=x9y8z7w6v5u4",
        "token = \"short1\" then token: reallyLong123value",
        "client_secret: '9f8e7d6c5b4a39281706'",
        $"TWILIO=SKSK{new string('a', 32)}",
        $"key sk_live_short sk_live_{new string('Z', 30)}",
        $"pat pat{new string('q', 14)}.{new string('f', 64)}",
    ];

    [Fact]
    public void Guarded_SomeRules_HavePreconditions() => Assert.True(Guarded.Count >= 6, $"only {Guarded.Count}");

    [Fact]
    public void Precondition_EveryLineItsRuleReportsWithoutIt_Passes()
    {
        var lines = CandidateLines().ToList();
        var failures = new List<string>();
        var reported = 0;
        foreach (var rule in Guarded)
        {
            var detector = new LineDetector(new RuleSet([rule with { Precondition = null }], Allowlist.Empty));
            foreach (var line in lines)
            {
                var found = new List<Finding>();
                detector.Detect("sample", 1, line, found);
                if (found.Count > 0)
                {
                    reported++;
                    if (!rule.Precondition!(line))
                    {
                        failures.Add($"{rule.Id}: {line}");
                    }
                }
            }
        }

        Assert.True(reported > 40, $"only {reported} reported lines: the test would prove little");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("generic-secret-assignment", "password: ${DB_PASSWORD}")]
    [InlineData("generic-secret-assignment", "var password = configuration[\"Smtp:Password\"];")]
    [InlineData("twilio-api-key", "for task in tasks: desk.ask(mask)")]
    [InlineData("stripe-live-secret-key", "STRIPE_SECRET_KEY=sk_live_abc")]
    [InlineData("airtable-pat", "path = os.path.join(pattern, patch)")]
    [InlineData("ado-net-connection-string", "if (password == null) { throw; }")]
    [InlineData("kubeconfig-password", "  - name: password")]
    public void Precondition_CommonLineThatCannotMatch_Fails(string id, string line) =>
        Assert.False(Guarded.Single(r => r.Id == id).Precondition!(line));

    [Theory]
    [InlineData("ab12cd34", true)]
    [InlineData("ab12cd3", false)]
    [InlineData("abcdefgh", false)]
    [InlineData("12345678", false)]
    [InlineData("ab12 cd34ef", false)]
    [InlineData("x = 'ab12cd34'", true)]
    [InlineData("\u212A\u212Aab12cd", true)]
    public void RunWithLetterAndDigit_Runs_OnlyLongMixedOnesPass(string line, bool expected) =>
        Assert.Equal(expected, Preconditions.RunWithLetterAndDigit("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8)(line));

    [Theory]
    [InlineData(";password=x", true)]
    [InlineData("; PwD =x", true)]
    [InlineData("password=x", false)]
    [InlineData(";passwordx=", false)]
    [InlineData("pwd;password =", true)]
    [InlineData(";pwd", false)]
    public void PasswordAfterSemicolon_Shapes_OnlyAssignmentsAfterASemicolonPass(string line, bool expected) =>
        Assert.Equal(expected, Preconditions.PasswordAfterSemicolon(line));

    private static IEnumerable<string> CandidateLines()
    {
        foreach (var rule in DefaultRules.All)
        {
            yield return rule.TruePositive;
            yield return rule.FalsePositive;
        }

        foreach (var line in EdgeLines)
        {
            yield return line;
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Corpus"), "*", SearchOption.AllDirectories))
        {
            foreach (var line in File.ReadLines(file))
            {
                yield return line.Replace(CorpusTests.Marker.ToString(), string.Empty, StringComparison.Ordinal);
            }
        }
    }
}
