using Coffer.Core.Access;

namespace Coffer.Server.Access;

internal sealed record CanIResponse(bool Allowed, string Reason, string User, IReadOnlyList<PolicyRule>? Rules);
