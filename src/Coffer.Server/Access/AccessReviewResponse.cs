using Coffer.Core.Access;

namespace Coffer.Server.Access;

internal sealed record AccessReviewResponse(IReadOnlyList<AccessFinding> Findings);
