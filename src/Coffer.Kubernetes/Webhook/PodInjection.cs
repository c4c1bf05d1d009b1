using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Coffer.Core.Naming;

namespace Coffer.Kubernetes.Webhook;

/// <summary>
/// Answers an admission.k8s.io/v1 AdmissionReview for a pod: when the pod asks for Coffer secrets, a JSON Patch that adds
/// an in-memory volume, an init container that logs in with the pod's own service account and writes the secrets there,
/// optionally a renewal sidecar, and the volume's mount in the containers that asked. No native Secret is involved.
/// </summary>
internal static partial class PodInjection
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
                if (Text(annotations, InjectionAnnotations.EnvPrefix + names[i]) is { } env)
                {
                    patch.Add(Op("replace", $"/spec/containers/{i}/command", EnvCommand(names[i]!, container, env, secrets)));
                }
            }
        }

        if (annotations?.Select(a => a.Key).FirstOrDefault(k => k.StartsWith(InjectionAnnotations.EnvPrefix, StringComparison.Ordinal) && !wanted.Contains(k[InjectionAnnotations.EnvPrefix.Length..])) is { } stray)
        {
            throw new AdmissionFailure($"annotation {stray} names a container that is not in {InjectionAnnotations.Containers}");
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

    /// <summary>
    /// The container's command, wrapped so that /bin/sh exports the asked keys from the secret files and then execs the
    /// original command with its arguments. Only file paths reach the pod spec, never a value; every name in the
    /// script is checked against a strict pattern first, so nothing in an annotation can become shell code.
    /// </summary>
    private static JsonArray EnvCommand(string containerName, JsonObject container, string mapping, List<(string Alias, string Namespace, string Name)> secrets)
    {
        var annotation = InjectionAnnotations.EnvPrefix + containerName;
        if (container["command"] is not JsonArray { Count: > 0 } original || original.Any(a => a is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            throw new AdmissionFailure($"annotation {annotation}: container {containerName} must set command (the webhook cannot see its image's entrypoint), or read the files instead");
        }

        var script = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in mapping.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=', 2);
            var source = parts.Length == 2 ? parts[1].Split('/') : [];
            if (source.Length != 2 || !EnvName().IsMatch(parts[0]) || !seen.Add(parts[0]) || !FileKey().IsMatch(source[1]) || source[1] is "." or "..")
            {
                throw new AdmissionFailure($"annotation {annotation}: '{entry}' is not NAME=alias/key (NAME a unique [A-Za-z_][A-Za-z0-9_]* variable name)");
            }

            if (!secrets.Any(s => s.Alias == source[0]))
            {
                throw new AdmissionFailure($"annotation {annotation}: alias {source[0]} is not one of {InjectionAnnotations.Secrets}");
            }

            script.Append(CultureInfo.InvariantCulture, $"{parts[0]}=\"$(cat '{MountPath}/{source[0]}/{source[1]}')\" || exit 1; export {parts[0]}; ");
        }

        if (seen.Count == 0)
        {
            throw new AdmissionFailure($"annotation {annotation} names no variable");
        }

        script.Append("exec \"$@\"");
        var command = new JsonArray("/bin/sh", "-c", script.ToString(), "coffer-env");
        foreach (var argument in original)
        {
            command.Add(argument!.DeepClone());
        }

        return command;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^[-._a-zA-Z0-9]{1,253}$")]
    private static partial Regex FileKey();

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
