namespace Coffer.Server.Access;

/// <summary>One node of a parsed YAML document, with the line it starts on so errors can point at it.</summary>
internal abstract record ManifestNode(long Line);
