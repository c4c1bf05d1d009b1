namespace Coffer.Crypto.Generators;

/// <summary>A CA certificate and its private key, both PEM, as a <c>kubernetes.io/tls</c> secret holds them.</summary>
public sealed record CertificateIssuer(string CertificatePem, string PrivateKeyPem);
