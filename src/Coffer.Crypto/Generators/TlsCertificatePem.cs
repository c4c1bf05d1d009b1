namespace Coffer.Crypto.Generators;

/// <summary>The <c>tls.crt</c> (leaf, then the issuer when there is one) and <c>tls.key</c> of a <c>kubernetes.io/tls</c> secret.</summary>
public sealed record TlsCertificatePem(string Certificate, string PrivateKey);
