namespace Coffer.Server.Rotation;

/// <summary>
/// One value a rotation generates. <c>kind</c>: password, bytes, rsa, ecdsa, ed25519 (private key in <c>key</c>, public key in
/// <c>publicKey</c> or <c>key.pub</c>) or tls (<c>tls.crt</c> and <c>tls.key</c>, signed by <c>issuerSecret</c> when given).
/// </summary>
internal sealed record GeneratorDocument(
    string Kind,
    string? Key = null,
    int? Length = null,
    bool? Lowercase = null,
    bool? Uppercase = null,
    bool? Digits = null,
    bool? Symbols = null,
    string? Exclude = null,
    int? Bytes = null,
    string? Encoding = null,
    int? Bits = null,
    string? Curve = null,
    string? PublicKey = null,
    string? CommonName = null,
    IReadOnlyList<string>? DnsNames = null,
    int? ValidDays = null,
    string? Algorithm = null,
    string? IssuerSecret = null);
