using Coffer.Core.Access;

namespace Coffer.Server.Access;

internal sealed record WhoCanResponse(string Verb, string Resource, string? Namespace, string? Name, IReadOnlyList<AccessGrant> Subjects);
