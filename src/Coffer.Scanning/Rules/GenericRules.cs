namespace Coffer.Scanning.Rules;

/// <summary>Secret-looking assignments no provider rule knows, kept quiet by entropy, stopwords and placeholder filters.</summary>
internal static class GenericRules
{
    // The characters of a generic secret: as a regex class, and spelt out for the precondition that looks for runs of them.
    private const string SecretClass = @"A-Za-z0-9_.=+/@#%^&*~!?:-";
    private const string SecretCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.=+/@#%^&*~!?:-";

    public static IEnumerable<DetectionRule> All =>
    [
        new("generic-secret-assignment", "Secret-looking value assigned to a secret-looking name",
            ["password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key", "access_key", "private_key", "auth", "credential"],
            RulePattern.Assigned(@"passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?", $"[{SecretClass}]{{8,200}}"),
            $"db_password = \"{SampleSecret.Alnum(20)}\"", "db_password = \"${DB_PASSWORD}\"")
        {
            Entropy = 3.5,
            IsGeneric = true,
            Precondition = Preconditions.RunWithLetterAndDigit(SecretCharacters, 8),
        },
    ];
}
