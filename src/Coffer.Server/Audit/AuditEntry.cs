namespace Coffer.Server.Audit;

/// <summary>
/// One line of the audit log: a request (allowed or denied) or a signed checkpoint. Never a secret value or a token,
/// only the token's accessor. <see cref="Prev"/> is the hash of the entry before, so the entries form a chain.
/// </summary>
internal sealed record AuditEntry
{
    public const string RequestKind = "request";
    public const string CheckpointKind = "checkpoint";

    public required long Seq { get; init; }

    public required string Id { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string Kind { get; init; }

    public required string Prev { get; init; }

    /// <summary>
    /// <c>RequestReceived</c> (written before a request that may change state is acted on) or <c>ResponseComplete</c>;
    /// both carry the same <see cref="RequestId"/>.
    /// </summary>
    public string? Stage { get; init; }

    public string? RequestId { get; init; }

    public string? User { get; init; }

    public IReadOnlyList<string>? Groups { get; init; }

    public string? Accessor { get; init; }

    /// <summary>True when the caller used a root token; absent otherwise.</summary>
    public bool? Root { get; init; }

    public string? Source { get; init; }

    public string? UserAgent { get; init; }

    public string? Method { get; init; }

    public string? Path { get; init; }

    public string? Verb { get; init; }

    public string? Resource { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    /// <summary><c>allow</c> or <c>deny</c>; absent where no identity was established (401) or no check applies.</summary>
    public string? Decision { get; init; }

    /// <summary>The role and binding that allowed it, or why it was denied.</summary>
    public string? Reason { get; init; }

    public int? Status { get; init; }

    /// <summary>The audit policy's level for the request: <c>Metadata</c>, <c>Request</c> or <c>RequestResponse</c>.</summary>
    public string? Level { get; init; }

    /// <summary>At level Request and above: the object sent, every value replaced by its HMAC.</summary>
    public AuditObject? RequestObject { get; init; }

    /// <summary>At level RequestResponse: the object answered, every value replaced by its HMAC.</summary>
    public AuditObject? ResponseObject { get; init; }

    /// <summary>Checkpoint: how many entries precede it.</summary>
    public long? Count { get; init; }

    /// <summary>Checkpoint: the hash of the entry before it (equal to <see cref="Prev"/>), signed.</summary>
    public string? Head { get; init; }

    /// <summary>Checkpoint: written at shutdown; a log that ends on anything else was cut short or the server died.</summary>
    public bool? Final { get; init; }

    /// <summary>Checkpoint: ECDSA P-256 SHA-256 signature over <c>"{count}\n{head}"</c>, base64.</summary>
    public string? Signature { get; init; }

    /// <summary>
    /// Restored at start-up from the copy kept with its change, after a crash lost it from the file: the sequence number
    /// it had then (the chain continues from the file's last entry).
    /// </summary>
    public long? RecoveredSeq { get; init; }
}
