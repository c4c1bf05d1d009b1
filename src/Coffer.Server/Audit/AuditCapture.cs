using Coffer.Server.Auth;

namespace Coffer.Server.Audit;

/// <summary>
/// Lets an endpoint add its request or response object to the audit entry, only when the policy asks for that
/// level, so that no request pays for hashing values nobody keeps.
/// </summary>
internal static class AuditCapture
{
    private static readonly object LevelKey = new();
    private static readonly object RequestKey = new();
    private static readonly object ResponseKey = new();

    /// <summary>The policy's level for this request, from the caller and what the access check learned.</summary>
    public static AuditLevel LevelOf(HttpContext context)
    {
        if (context.Items[LevelKey] is AuditLevel known)
        {
            return known;
        }

        var policy = context.RequestServices.GetService<AuditPolicy>() ?? AuditPolicy.Default;
        var caller = context.Items[typeof(CallerIdentity)] as CallerIdentity;
        var facts = context.Items[typeof(AuditFacts)] as AuditFacts;
        var level = policy.Rules.Count == 0
            ? AuditLevel.Metadata
            : policy.LevelFor(caller?.Name, caller?.Principal.Groups, facts?.Verb, facts?.Resource, facts?.Namespace ?? context.Request.RouteValues["namespace"] as string);

        // Levels are decided once the access check has run; before that the answer could still change.
        if (facts is not null)
        {
            context.Items[LevelKey] = level;
        }

        return level;
    }

    public static void Request(HttpContext context, Func<AuditHasher, AuditObject> capture) => Capture(context, AuditLevel.Request, RequestKey, capture);

    public static void Response(HttpContext context, Func<AuditHasher, AuditObject> capture) => Capture(context, AuditLevel.RequestResponse, ResponseKey, capture);

    public static AuditObject? RequestOf(HttpContext context) => context.Items[RequestKey] as AuditObject;

    public static AuditObject? ResponseOf(HttpContext context) => context.Items[ResponseKey] as AuditObject;

    private static void Capture(HttpContext context, AuditLevel needed, object key, Func<AuditHasher, AuditObject> capture)
    {
        if (LevelOf(context) >= needed && context.RequestServices.GetService<AuditHasher>() is { } hasher)
        {
            context.Items[key] = capture(hasher);
        }
    }
}
