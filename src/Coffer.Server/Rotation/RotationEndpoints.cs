using Coffer.Core.Errors;
using Coffer.Core.Naming;
using Coffer.Core.Rotation;
using Coffer.Core.Secrets;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Storage;

namespace Coffer.Server.Rotation;

/// <summary>
/// Rotation under <c>/v1/namespaces/{namespace}/rotation</c>: status (<c>list secrets/rotation</c>), the namespace policy
/// (<c>rotationpolicies</c>), per-secret policies (<c>secrets/rotation</c>) and running rotations (<c>rotate secrets</c>).
/// </summary>
internal static class RotationEndpoints
{
    public const string Resource = "secrets/rotation";
    public const string PolicyResource = "rotationpolicies";
    public const string RotateVerb = "rotate";
    public const string RolloutResource = "secrets/rollout";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/namespaces/{namespace}/rotation").WithTags("Rotation");
        group.MapGet("", StatusAsync).RequireAccess("list", Resource).Produces<RotationStatusList>();
        group.MapGet("/policy", GetNamespacePolicyAsync).RequireAccess("get", PolicyResource).Produces<NamespacePolicyDocument>();
        group.MapPut("/policy", PutNamespacePolicyAsync).RequireAccess("update", PolicyResource).Accepts<NamespacePolicyDocument>("application/json");
        group.MapGet("/secrets/{name}", GetAsync).RequireAccess("get", Resource).Produces<RotationResource>();
        group.MapPut("/secrets/{name}", PutPolicyAsync).RequireAccess("update", Resource).Accepts<RotationPolicyDocument>("application/json").Produces<RotationResource>();
        group.MapDelete("/secrets/{name}", DeletePolicyAsync).RequireAccess("delete", Resource);
        group.MapPost("/secrets/{name}/rotate", RotateAsync).RequireAccess(RotateVerb, Secrets.SecretEndpoints.Resource).Produces<RotationResource>();
        group.MapPost("/secrets/{name}/rollout", RolloutAsync).RequireAccess("update", RolloutResource).Accepts<RolloutReport>("application/json").Produces<RolloutAnswer>();
        group.MapPost("/secrets/{name}/steps/{step}", StepAsync).RequireAccess(RotateVerb, Secrets.SecretEndpoints.Resource).Produces<RotationResource>();
    }

    private static async Task StatusAsync(HttpContext context, RotationStatusReader status, INamespaceStore namespaces, TimeProvider time)
    {
        var ns = await ExistingNamespaceAsync(context, namespaces).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var items = await status.ListAsync(ns, now, context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, RotationStatusReader.ToList(items, now), RotationJsonContext.Default.RotationStatusList, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task GetNamespacePolicyAsync(HttpContext context, RotationSettings settings, INamespaceStore namespaces)
    {
        var ns = await ExistingNamespaceAsync(context, namespaces).ConfigureAwait(false);
        var policy = await settings.GetNamespacePolicyAsync(ns, context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, policy with { ApiVersion = ApiJson.ApiVersion, Kind = "NamespacePolicy" }, RotationJsonContext.Default.NamespacePolicyDocument, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task PutNamespacePolicyAsync(HttpContext context, RotationSettings settings, INamespaceStore namespaces, TimeProvider time)
    {
        var ns = await ExistingNamespaceAsync(context, namespaces).ConfigureAwait(false);
        var policy = await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.NamespacePolicyDocument, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        await settings.PutNamespacePolicyAsync(ns, policy, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        await ApiJson.WriteAsync(context.Response, policy with { ApiVersion = ApiJson.ApiVersion, Kind = "NamespacePolicy" }, RotationJsonContext.Default.NamespacePolicyDocument, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task GetAsync(HttpContext context, RotationSettings settings, ISecretStore secrets, ISecretRotationStore rotations, TimeProvider time)
    {
        var address = Address(context);
        await WriteResourceAsync(context, address, settings, secrets, rotations, time).ConfigureAwait(false);
    }

    private static async Task PutPolicyAsync(HttpContext context, RotationSettings settings, ISecretStore secrets, ISecretRotationStore rotations, TimeProvider time)
    {
        var address = Address(context);
        var policy = await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.RotationPolicyDocument, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        RotationSettings.Validate(policy);
        _ = await secrets.GetMetadataAsync(address, context.RequestAborted).ConfigureAwait(false)
            ?? throw CofferException.NotFound("SecretNotFound", $"secret {address} not found");
        await settings.PutSecretPolicyAsync(address, policy, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        await WriteResourceAsync(context, address, settings, secrets, rotations, time).ConfigureAwait(false);
    }

    private static async Task DeletePolicyAsync(HttpContext context, RotationSettings settings)
    {
        var address = Address(context);
        if (!await settings.DeleteSecretPolicyAsync(address, context.RequestAborted).ConfigureAwait(false))
        {
            throw CofferException.NotFound("RotationPolicyNotFound", $"secret {address} has no rotation policy");
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task RotateAsync(HttpContext context, RotationRunner runner, RotationSettings settings, ISecretStore secrets, ISecretRotationStore rotations, TimeProvider time)
    {
        var address = Address(context);
        var request = await ReadOptionalAsync(context).ConfigureAwait(false);
        var token = request?.Token ?? RotationRunner.NewToken();
        RotationRunner.CheckToken(token);
        await runner.RotateAsync(address, token, context.Caller().Name, context.RequestAborted).ConfigureAwait(false);
        await WriteResourceAsync(context, address, settings, secrets, rotations, time).ConfigureAwait(false);
    }

    private static async Task<IResult> RolloutAsync(HttpContext context, RotationRunner runner)
    {
        var address = Address(context);
        var report = await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.RolloutReport, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (report.Version < 1)
        {
            throw CofferException.Invalid("InvalidField", "version must be a positive integer", "version");
        }

        if (report.State is not (RolloutReport.Started or RolloutReport.Complete))
        {
            throw CofferException.Invalid("InvalidField", $"state must be {RolloutReport.Started} or {RolloutReport.Complete}", "state");
        }

        if (report.Workloads is { Count: > RolloutReport.MaxWorkloads })
        {
            throw CofferException.Invalid("InvalidField", $"at most {RolloutReport.MaxWorkloads} workloads", "workloads");
        }

        var answer = await runner.RolloutAsync(address, report.Version, report.State == RolloutReport.Complete, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(answer, RotationJsonContext.Default.RolloutAnswer);
    }

    private static async Task StepAsync(HttpContext context, RotationRunner runner, RotationSettings settings, ISecretStore secrets, ISecretRotationStore rotations, TimeProvider time)
    {
        var address = Address(context);
        var step = (string)context.Request.RouteValues["step"]! switch
        {
            "create" => RotationStep.Create,
            "set" => RotationStep.Set,
            "test" => RotationStep.Test,
            "finish" => RotationStep.Finish,
            _ => throw CofferException.Invalid("InvalidStep", "step must be create, set, test or finish", "step"),
        };
        var request = await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.RotationStepRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        RotationRunner.CheckToken(request.Token);
        var token = request.Token!;
        var state = step switch
        {
            RotationStep.Create => await runner.CreateAsync(address, token, context.RequestAborted).ConfigureAwait(false),
            RotationStep.Set => await runner.SetAsync(address, token, context.RequestAborted).ConfigureAwait(false),
            RotationStep.Test => await runner.TestAsync(address, token, context.RequestAborted).ConfigureAwait(false),
            _ => await runner.FinishAsync(address, token, context.Caller().Name, context.RequestAborted).ConfigureAwait(false),
        };
        if (RotationRunner.FailedAt(state, step))
        {
            throw RotationFailure.Step(state.Error!);
        }

        await WriteResourceAsync(context, address, settings, secrets, rotations, time).ConfigureAwait(false);
    }

    private static async Task<RotationStepRequest?> ReadOptionalAsync(HttpContext context) =>
        context.Request.ContentLength is null or 0 && !context.Request.Headers.TransferEncoding.Any()
            ? null
            : await ApiJson.ReadAsync(context.Request, RotationJsonContext.Default.RotationStepRequest, ApiJson.DefaultMaxBodyBytes, context.RequestAborted).ConfigureAwait(false);

    private static async Task WriteResourceAsync(HttpContext context, SecretAddress address, RotationSettings settings, ISecretStore secrets, ISecretRotationStore rotations, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var stored = await secrets.GetVersionAsync(address, null, ct).ConfigureAwait(false)
            ?? throw CofferException.NotFound("SecretNotFound", $"secret {address} not found");
        var policy = await settings.GetSecretPolicyAsync(address, ct).ConfigureAwait(false);
        var nsPolicy = await settings.GetNamespacePolicyAsync(address.Namespace, ct).ConfigureAwait(false);
        var state = await rotations.GetAsync(address, ct).ConfigureAwait(false);
        var since = stored.Version?.CreatedAt ?? stored.Secret.UpdatedAt;
        var period = RotationSettings.PeriodOf(policy, nsPolicy);
        var due = RotationSchedule.DueAt(since, period);
        var resource = new RotationResource(
            ApiJson.ApiVersion,
            "SecretRotation",
            address.Namespace,
            address.Name,
            policy,
            stored.Secret.CurrentVersion,
            since,
            DurationText.Format(period),
            due,
            RotationSchedule.Classify(due, RotationSettings.NotifyBeforeOf(nsPolicy), time.GetUtcNow()).ToString(),
            state?.Status.ToString(),
            state?.LastStep.ToString(),
            state?.Error,
            state?.Token,
            state is { Pending: not null } ? state.PendingVersion : null,
            state?.PreviousVersion,
            state?.RevokePreviousAt);
        await ApiJson.WriteAsync(context.Response, resource, RotationJsonContext.Default.RotationResource, ct).ConfigureAwait(false);
    }

    private static async Task<string> ExistingNamespaceAsync(HttpContext context, INamespaceStore namespaces)
    {
        var ns = (string)context.Request.RouteValues["namespace"]!;
        KubernetesNames.ValidateNamespace(ns);
        return await namespaces.ExistsAsync(ns, context.RequestAborted).ConfigureAwait(false)
            ? ns
            : throw CofferException.NotFound("NamespaceNotFound", $"namespace {ns} not found");
    }

    private static SecretAddress Address(HttpContext context) =>
        new((string)context.Request.RouteValues["namespace"]!, (string)context.Request.RouteValues["name"]!);
}
