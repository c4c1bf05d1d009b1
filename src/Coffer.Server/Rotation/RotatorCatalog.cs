namespace Coffer.Server.Rotation;

/// <summary>The rotator a policy names.</summary>
internal sealed class RotatorCatalog(GenerateOnlyRotator generate, WebhookRotator webhook, PostgresRotator postgres)
{
    public IRotator For(RotationPolicyDocument policy) => policy.Rotator switch
    {
        "webhook" => webhook,
        "postgres" => postgres,
        _ => generate,
    };
}
