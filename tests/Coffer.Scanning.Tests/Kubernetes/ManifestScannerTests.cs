using Coffer.Scanning.Detection;
using Coffer.Scanning.Kubernetes;

namespace Coffer.Scanning.Tests.Kubernetes;

public sealed class ManifestScannerTests
{
    private static List<Finding> Scan(string yaml)
    {
        var findings = new List<Finding>();
        ManifestScanner.Scan("manifest.yaml", yaml, new LineDetector(RuleSet.Default), findings);
        return findings;
    }

    private static string Base64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Scan_SecretDataBase64Token_DecodedAndReportedAtManifestLine()
    {
        var yaml = $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  readme: {Base64("hello")}\n  github: {Base64("ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4")}\n";

        var finding = Assert.Single(Scan(yaml));

        Assert.Equal("github-pat", finding.RuleId);
        Assert.Equal(7, finding.Line);
        Assert.Equal("ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4", finding.Secret);
    }

    [Fact]
    public void Scan_SecretDataPasswordKey_JudgedWithKeyAsContext()
    {
        var yaml = $"kind: Secret\ndata:\n  db_password: {Base64("Zq8kL2mN4pQ6rS8tU0vW")}\n";

        Assert.Equal("Zq8kL2mN4pQ6rS8tU0vW", Assert.Single(Scan(yaml)).Secret);
    }

    [Fact]
    public void Scan_ConfigMapData_NotDecoded()
    {
        var yaml = $"kind: ConfigMap\ndata:\n  github: {Base64("ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz2C4")}\n";

        Assert.Empty(Scan(yaml));
    }

    [Fact]
    public void Scan_EnvLiteralSecretName_Reported()
    {
        var yaml = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: LOG_LEVEL\n              value: debugging\n            - name: DB_PASSWORD\n              value: \"hunter2hunter\"\n";

        var finding = Assert.Single(Scan(yaml));

        Assert.Equal(ManifestScanner.EnvRuleId, finding.RuleId);
        Assert.Equal(11, finding.Line);
    }

    [Theory]
    [InlineData("valueFrom:\n                secretKeyRef: {name: db, key: password}")]
    [InlineData("value: \"${DB_PASSWORD}\"")]
    [InlineData("value: \"$(DB_PASSWORD_FROM_OTHER_VAR)\"")]
    public void Scan_EnvReferenceOrPlaceholder_NotReported(string valueLines)
    {
        var yaml = $"kind: Pod\nspec:\n  containers:\n    - name: app\n      env:\n        - name: DB_PASSWORD\n          {valueLines}\n";

        Assert.Empty(Scan(yaml));
    }

    [Fact]
    public void Scan_EnvNamingSecretFile_NotReported()
    {
        var yaml = "spec:\n  containers:\n    - env:\n        - name: DB_PASSWORD_FILE\n          value: /run/secrets/db/password\n";

        Assert.Empty(Scan(yaml));
    }

    [Fact]
    public void Scan_NotYaml_NothingAndNoThrow() => Assert.Empty(Scan("kind: Secret\n  : - ][ {{"));
}
