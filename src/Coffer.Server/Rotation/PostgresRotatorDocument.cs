namespace Coffer.Server.Rotation;

/// <summary>
/// A PostgreSQL login rotated by Coffer. <c>connectionSecret</c> names a secret in the same namespace whose
/// <c>connectionString</c> key holds an admin connection string. <c>strategy</c>: single (one role, ALTER ROLE … PASSWORD)
/// or alternating (the two <c>usernames</c> take turns, so the credential clients use never changes under them).
/// </summary>
internal sealed record PostgresRotatorDocument(string ConnectionSecret, string Strategy = "alternating", IReadOnlyList<string>? Usernames = null, int? PasswordLength = null);
