namespace Coffer.Server.Access;

/// <param name="SecretsDeleted">How many secrets a forced deletion took with it.</param>
internal sealed record NamespaceDeleted(string Name, long SecretsDeleted);
