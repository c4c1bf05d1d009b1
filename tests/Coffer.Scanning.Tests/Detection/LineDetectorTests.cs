using Coffer.Scanning.Detection;
using Coffer.Scanning.Rules;

namespace Coffer.Scanning.Tests.Detection;

public sealed class LineDetectorTests
{
    private static List<Finding> Detect(string line, RuleSet? rules = null)
    {
        var findings = new List<Finding>();
        new LineDetector(rules ?? RuleSet.Default).Detect("file.txt", 7, line, findings);
        return findings;
    }

    [Fact]
    public void Detect_GitHubToken_ReportsRuleLineColumnAndSecret()
    {
        var token = "ghp_" + new string('a', 10) + "B3dE5fG7hJ9kL2mN4pQ6rS8tU0";

        var finding = Assert.Single(Detect($"export GITHUB_TOKEN={token}"));

        Assert.Equal("github-pat", finding.RuleId);
        Assert.Equal(7, finding.Line);
        Assert.Equal(21, finding.Column);
        Assert.Equal(token, finding.Secret);
    }

    [Theory]
    [InlineData("token = \"ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4e\" # coffer:allow")]
    [InlineData("token = \"ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4e\" // gitleaks:allow")]
    public void Detect_AllowComment_NothingReported(string line) => Assert.Empty(Detect(line));

    [Theory]
    [InlineData("password = \"${DB_PASSWORD}\"")]
    [InlineData("password: \"{{ .Values.db.password }}\"")]
    [InlineData("api_key = \"<YOUR_API_KEY_HERE>\"")]
    [InlineData("secret = \"xxxxxxxxxxxxxxxxxxxx\"")]
    [InlineData("password = \"changeme-please-now\"")]
    [InlineData("token = \"example-token-1234567\"")]
    [InlineData("password = \"aaaaaaaaaaaaaaaaaaaa\"")]
    [InlineData("password = \"hunter2hunter2\"")]
    [InlineData("password = os.environ[\"DB_PASSWORD\"]")]
    public void Detect_GenericPlaceholderOrLowEntropy_NothingReported(string line) => Assert.Empty(Detect(line));

    [Theory]
    [InlineData("db_password = \"Zq8kL2mN4pQ6rS8tU0vW\"")]
    [InlineData("\"client_secret\": \"r7Yx2Pq9Lm4Kd8Nw3Vb6\"")]
    [InlineData("API_KEY=Tg5Hy7Ju9Ki0Lo2Pm4Nb")]
    public void Detect_GenericHighEntropyAssignment_Reported(string line) =>
        Assert.Equal("generic-secret-assignment", Assert.Single(Detect(line)).RuleId);

    [Fact]
    public void Detect_KeywordAbsent_RuleRegexNotRun()
    {
        var rule = new DetectionRule("anything", "matches every line", ["needle"], "(.+)", string.Empty, string.Empty);
        var rules = new RuleSet([rule], Allowlist.Empty);

        Assert.Empty(Detect("a haystack line", rules));
        Assert.Single(Detect("a haystack line with a NEEDLE", rules));
    }

    [Fact]
    public void Detect_SpecificAndGenericOverlap_SpecificRuleWins()
    {
        var finding = Assert.Single(Detect("stripe_secret = \"sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU\""));

        Assert.Equal("stripe-live-secret-key", finding.RuleId);
    }

    [Fact]
    public void Detect_GlobalAllowlistStopword_NothingReported()
    {
        var rules = new RuleSet(DefaultRules.All, new Allowlist([], [], ["aB3dE5"]));

        Assert.Empty(Detect("STRIPE=sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8tU", rules));
    }

    [Fact]
    public void Detect_PathologicalGenericInput_Completes()
    {
        // Repeated near-matches make backtracking engines go exponential; the non-backtracking engine stays linear.
        var line = string.Concat(Enumerable.Repeat("password=password= 'secret: token=", 20_000)) + new string('a', 100_000);

        var findings = Detect(line);

        Assert.Empty(findings);
    }

    [Fact]
    public void Compile_Lookahead_RejectedAsNotLinear() =>
        Assert.Throws<ArgumentException>(() => RulePattern.Compile("(?=abc)abc"));
}
