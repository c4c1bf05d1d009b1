using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Core.Naming;

namespace Coffer.Kubernetes.Webhook;

/// <summary>
/// Answers an admission.k8s.io/v1 AdmissionReview for a pod: when the pod asks for Coffer secrets, a JSON Patch that adds
/// an in-memory volume, an init container that logs in with the pod's own service account and writes the secrets there,
/// optionally a renewal sidecar, and the volume's mount in the containers that asked. No native Secret is involved.
/// </summary>
internal static class PodInjection
{
    public const string VolumeName = "coffer-secrets";
    public const string TokenVolumeName = "coffer-token";
    public const string MountPath = "/coffer/secrets";
    public const string TokenMountPath = "/var/run/secrets/coffer";
    public const int MaxReviewBytes = 3 * 1024 * 1024;

    /// <summary>The AdmissionReview answer; throws <see cref="JsonException"/> when the request is not an AdmissionReview at all.</summary>
    public static JsonObject Review(ReadOnlySpan<byte> body, InjectionOptions options)
    {
        JsonObject review;
        try
        {
            review = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("the body is not a JSON object");
        }
        catch (ArgumentException e)
        {
            throw new JsonException("the body is not valid JSON", e);
        }

        if (review["apiVersion"]?.GetValueKind() != JsonValueKind.String || review["apiVersion"]!.GetValue<string>() != "admission.k8s.io/v1"
            || review["kind"]?.GetValueKind() != JsonValueKind.String || review["kind"]!.GetValue<string>() != "AdmissionReview")
        {
            throw new JsonException("apiVersion must be admission.k8s.io/v1 and kind AdmissionReview");
        }

        if (review["request"] is not JsonObject request || request["uid"]?.GetValueKind() != JsonValueKind.String)
        {
            throw new JsonException("request.uid is required");
        }

        var uid = request["uid"]!.GetValue<string>();
        JsonObject response;
        try
        {
            var patch = request["object"] is JsonObject pod ? Patch(pod, options) : throw new AdmissionFailure("request.object must be a Pod");
            response = new JsonObject { ["uid"] = uid, ["allowed"] = true };
            if (patch.Count > 0)
            {
                response["patchType"] = "JSONPatch";
                response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString()));
            }
        }
        catch (Exception e) when (e is AdmissionFailure or InvalidOperationException or FormatException)
        {
            // A pod that asked for secrets and cannot get them must not start without them: deny, saying why.
            response = new JsonObject
            {
                ["uid"] = uid,
                ["allowed"] = false,
                ["status"] = new JsonObject { ["code"] = 400, ["message"] = $"coffer injection: {(e is AdmissionFailure ? e.Message : "malformed pod: " + e.Message)}" },
            };
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
    }

    /// <summary>The JSON Patch operations for one pod; empty when it does not ask, or was already injected.</summary>
    public static JsonArray Patch(JsonObject pod, InjectionOptions options)
    {
        var annotations = pod["metadata"]?["annotations"] as JsonObject;
        if (Text(annotations, InjectionAnnotations.Inject) != "true" || Text(annotations, InjectionAnnotations.Injected) == "true")
        {
            return [];
        }

        var role = Text(annotations, InjectionAnnotations.Role) ?? throw new AdmissionFailure($"annotation {InjectionAnnotations.Role} is required");
        if (KubernetesNames.CheckDns1123Subdomain(role) is { } roleError)
        {
            throw new AdmissionFailure($"annotation {InjectionAnnotations.Role}: {roleError}");
        }

        var secrets = ParseSecrets(Text(annotations, InjectionAnnotations.Secrets));
        var wanted = (Text(annotations, InjectionAnnotations.Containers) ?? throw new AdmissionFailure($"annotation {InjectionAnnotations.Containers} is required: name the containers that get the secrets"))
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.Ordinal);
        var spec = pod["spec"] as JsonObject ?? throw new AdmissionFailure("the pod has no spec");
        var containers = spec["containers"] as JsonArray ?? throw new AdmissionFailure("the pod has no containers");
        var names = containers.Select(c => c?["name"]?.GetValue<string>()).ToList();
        if (wanted.FirstOrDefault(w => !names.Contains(w)) is { } missing)
        {
            throw new AdmissionFailure($"annotation {InjectionAnnotations.Containers} names container {missing}, which the pod does not have");
        }

        if (wanted.Count == 0)
        {
            throw new AdmissionFailure($"annotation {InjectionAnnotations.Containers} names no container");
        }

        var patch = new JsonArray();
        AddToList(patch, spec, "/spec/volumes", "volumes", Volume());
        AddToList(patch, spec, "/spec/volumes", "volumes", TokenVolume(options));
        var fetch = Container("coffer-fetch", options, role, secrets, renew: false);
        if (spec["initContainers"] is JsonArray { Count: > 0 })
        {
            // First, so other init containers already find the files.
            patch.Add(Op("add", "/spec/initContainers/0", fetch));
        }
        else
        {
            patch.Add(Op("add", "/spec/initContainers", new JsonArray(fetch)));
        }

        for (var i = 0; i < containers.Count; i++)
        {
            if (wanted.Contains(names[i]!))
            {
                var container = (JsonObject)containers[i]!;
                AddToList(patch, container, $"/spec/containers/{i}/volumeMounts", "volumeMounts", new JsonObject { ["name"] = VolumeName, ["mountPath"] = MountPath, ["readOnly"] = true });
            }
        }

        if (Text(annotations, InjectionAnnotations.Renew) == "true")
        {
            patch.Add(Op("add", "/spec/containers/-", Container("coffer-renew", options, role, secrets, renew: true)));
        }

        patch.Add(annotations is null
            ? Op("add", "/metadata/annotations", new JsonObject { [InjectionAnnotations.Injected] = "true" })
            : Op("add", "/metadata/annotations/" + Escape(InjectionAnnotations.Injected), "true"));
        return patch;
    }

    /// <summary>RFC 6901: '~' and '/' in a key become "~0" and "~1".</summary>
    public static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static List<(string Alias, string Namespace, string Name)> ParseSecrets(string? text)
    {
        var secrets = new List<(string, string, string)>();
        foreach (var entry in (text ?? throw new AdmissionFailure($"annotation {InjectionAnnotations.Secrets} is required")).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=', 2);
            var path = parts.Length == 2 ? parts[1].Split('/') : [];
            if (path.Length != 2
                || KubernetesNames.CheckDns1123Label(parts[0]) is not null
                || KubernetesNames.CheckDns1123Label(path[0]) is not null
                || KubernetesNames.CheckDns1123Subdomain(path[1]) is not null)
            {
                throw new AdmissionFailure($"annotation {InjectionAnnotations.Secrets}: '{entry}' is not alias=namespace/name");
            }

            secrets.Add((parts[0], path[0], path[1]));
        }

        return secrets.Count == 0 ? throw new AdmissionFailure($"annotation {InjectionAnnotations.Secrets} names no secret") : secrets;
    }

    private static JsonObject Container(string name, InjectionOptions options, string role, List<(string Alias, string Namespace, string Name)> secrets, bool renew)
    {
        var args = new JsonArray("k8s", "fetch", "--address", options.CofferAddress, "--role", role, "--token-file", $"{TokenMountPath}/token", "--out", MountPath);
        foreach (var (alias, ns, secret) in secrets)
        {
            args.Add("--secret");
            args.Add($"{alias}={ns}/{secret}");
        }

        if (renew)
        {
            args.Add("--watch");
        }

        return new JsonObject
        {
            ["name"] = name,
            ["image"] = options.Image,
            ["args"] = args,
            ["volumeMounts"] = new JsonArray(
                new JsonObject { ["name"] = VolumeName, ["mountPath"] = MountPath },
                new JsonObject { ["name"] = TokenVolumeName, ["mountPath"] = TokenMountPath, ["readOnly"] = true }),
            ["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = "10m", ["memory"] = "32Mi" },
                ["limits"] = new JsonObject { ["memory"] = "64Mi" },
            },
            ["securityContext"] = new JsonObject
            {
                ["runAsNonRoot"] = true,
                ["readOnlyRootFilesystem"] = true,
                ["allowPrivilegeEscalation"] = false,
                ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
            },
        };
    }

    private static JsonObject Volume() => new()
    {
        ["name"] = VolumeName,
        ["emptyDir"] = new JsonObject { ["medium"] = "Memory", ["sizeLimit"] = "8Mi" },
    };

    private static JsonObject TokenVolume(InjectionOptions options) => new()
    {
        ["name"] = TokenVolumeName,
        ["projected"] = new JsonObject
        {
            ["sources"] = new JsonArray(new JsonObject
            {
                ["serviceAccountToken"] = new JsonObject { ["audience"] = options.Audience, ["expirationSeconds"] = 600, ["path"] = "token" },
            }),
        },
    };

    private static void AddToList(JsonArray patch, JsonObject parent, string path, string property, JsonObject item)
    {
        if (parent[property] is JsonArray)
        {
            patch.Add(Op("add", path + "/-", item));
            return;
        }

        // The list is added whole once; a second item for the same missing list goes after it.
        var pending = patch.OfType<JsonObject>().FirstOrDefault(o => o["path"]!.GetValue<string>() == path);
        if (pending is not null)
        {
            patch.Add(Op("add", path + "/-", item));
        }
        else
        {
            patch.Add(Op("add", path, new JsonArray(item)));
        }
    }

    private static JsonObject Op(string op, string path, JsonNode value) => new() { ["op"] = op, ["path"] = path, ["value"] = value };

    private static string? Text(JsonObject? annotations, string key) =>
        annotations?[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
