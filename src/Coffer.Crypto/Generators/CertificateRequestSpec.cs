namespace Coffer.Crypto.Generators;

/// <summary>What a generated TLS certificate says; <see cref="Issuer"/> null means self-signed.</summary>
/// <param name="IsCertificateAuthority">A CA certificate, which can sign others held in Coffer.</param>
public sealed record CertificateRequestSpec(
    string CommonName,
    IReadOnlyList<string> DnsNames,
    TimeSpan Validity,
    KeyAlgorithm Algorithm = KeyAlgorithm.Ecdsa,
    bool IsCertificateAuthority = false,
    CertificateIssuer? Issuer = null);
