namespace Coffer.Core.Secrets;

/// <summary>Kubernetes' built-in Secret types and the keys they require.</summary>
public static class SecretTypes
{
    public const string Opaque = "Opaque";
    public const string BasicAuth = "kubernetes.io/basic-auth";
    public const string Tls = "kubernetes.io/tls";
    public const string DockerConfigJson = "kubernetes.io/dockerconfigjson";
    public const string DockerConfig = "kubernetes.io/dockercfg";
    public const string SshAuth = "kubernetes.io/ssh-auth";

    public const string TlsCertKey = "tls.crt";
    public const string TlsPrivateKeyKey = "tls.key";
    public const string DockerConfigJsonKey = ".dockerconfigjson";
    public const string DockerConfigKey = ".dockercfg";
    public const string SshPrivateKeyKey = "ssh-privatekey";
    public const string BasicAuthUsernameKey = "username";
    public const string BasicAuthPasswordKey = "password";
}
