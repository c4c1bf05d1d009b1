using Coffer.Core.Errors;
using Coffer.Core.Labels;

namespace Coffer.Core.Tests.Labels;

public sealed class MetadataRulesTests
{
    [Theory]
    [InlineData("app")]
    [InlineData("app.kubernetes.io/name")]
    [InlineData("example.com/Owner_Team.x")]
    public void CheckQualifiedName_Valid_ReturnsNull(string key) => Assert.Null(MetadataRules.CheckQualifiedName(key));

    [Theory]
    [InlineData("")]
    [InlineData("/name")]
    [InlineData("Example.com/name")]
    [InlineData("a/b/c")]
    [InlineData("-app")]
    [InlineData("app-")]
    [InlineData("app name")]
    public void CheckQualifiedName_Invalid_ReturnsRule(string key) => Assert.NotNull(MetadataRules.CheckQualifiedName(key));

    [Fact]
    public void CheckQualifiedName_NamePartOver63_ReturnsRule() =>
        Assert.NotNull(MetadataRules.CheckQualifiedName("example.com/" + new string('a', 64)));

    [Theory]
    [InlineData("", true)]
    [InlineData("v1.2_3-x", true)]
    [InlineData("-bad", false)]
    [InlineData("has space", false)]
    public void CheckLabelValue_ReturnsRuleOnlyWhenInvalid(string value, bool valid) =>
        Assert.Equal(valid, MetadataRules.CheckLabelValue(value) is null);

    [Fact]
    public void ValidateLabels_BadValue_NamesTheKey()
    {
        var error = Assert.Throws<CofferException>(() => MetadataRules.ValidateLabels(new Dictionary<string, string> { ["team"] = new string('x', 64) }));
        Assert.Equal("metadata.labels[team]", error.Field);
    }

    [Fact]
    public void ValidateAnnotations_FreeFormValue_Accepted() =>
        MetadataRules.ValidateAnnotations(new Dictionary<string, string> { ["note"] = "any text: even spaces & symbols" });

    [Fact]
    public void ValidateAnnotations_OverTotalSize_Rejected()
    {
        var error = Assert.Throws<CofferException>(() => MetadataRules.ValidateAnnotations(new Dictionary<string, string> { ["big"] = new string('x', MetadataRules.AnnotationsMaxBytes) }));
        Assert.Equal("InvalidAnnotation", error.Reason);
    }
}
