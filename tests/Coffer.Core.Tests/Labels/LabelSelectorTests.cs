using Coffer.Core.Errors;
using Coffer.Core.Labels;

namespace Coffer.Core.Tests.Labels;

public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "frontend" };

    [Theory]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app=db", false)]
    [InlineData("app", true)]
    [InlineData("!app", false)]
    [InlineData("!owner", true)]
    [InlineData("app in (web,db)", true)]
    [InlineData("app notin (web,db)", false)]
    [InlineData("app=web,tier=frontend", true)]
    [InlineData("app=web,tier=backend", false)]
    [InlineData("owner!=team-a", true)]
    [InlineData("", true)]
    public void Matches_Selector_MatchesLikeKubernetes(string selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Web));

    [Theory]
    [InlineData("app in (web")]
    [InlineData("app in web")]
    [InlineData("=web")]
    [InlineData("app=-bad")]
    [InlineData(",")]
    [InlineData("app)")]
    public void Parse_Malformed_ThrowsInvalidLabelSelector(string selector)
    {
        var error = Assert.Throws<CofferException>(() => LabelSelector.Parse(selector));
        Assert.Equal("InvalidLabelSelector", error.Reason);
        Assert.Equal("labelSelector", error.Field);
    }

    [Fact]
    public void Parse_Oversized_Throws() =>
        Assert.Throws<CofferException>(() => LabelSelector.Parse(new string('a', LabelSelector.MaxLength + 1)));
}
