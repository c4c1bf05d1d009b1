using Coffer.Core.Access;
using Coffer.Core.Errors;
using Coffer.Core.Naming;

namespace Coffer.Server.Access;

/// <summary>
/// RBAC YAML as Kubernetes writes it: one or more documents of <c>Role</c>, <c>ClusterRole</c>, <c>RoleBinding</c>
/// and <c>ClusterRoleBinding</c> (apiVersion <c>rbac.authorization.k8s.io/v1</c>). Parsing is all or nothing.
/// </summary>
internal sealed record AccessManifest(IReadOnlyList<AccessRole> Roles, IReadOnlyList<AccessBinding> Bindings)
{
    public const int MaxBytes = 1024 * 1024;
    public const string ApiVersion = "rbac.authorization.k8s.io/v1";
    public const string RbacGroup = "rbac.authorization.k8s.io";

    private const string Reason = "InvalidManifest";
    private const int MaxNameLength = 253;

    private static readonly string[] DocumentFields = ["apiVersion", "kind", "metadata"];
    private static readonly string[] RoleFields = [.. DocumentFields, "rules", "aggregationRule"];
    private static readonly string[] BindingFields = [.. DocumentFields, "roleRef", "subjects"];
    private static readonly string[] MetadataFields = ["name", "namespace", "labels", "annotations"];
    private static readonly string[] RuleFields = ["apiGroups", "resources", "verbs", "resourceNames"];
    private static readonly string[] RoleRefFields = ["apiGroup", "kind", "name"];
    private static readonly string[] SubjectFields = ["kind", "name", "namespace", "apiGroup"];
    private static readonly string[] Kinds = [AccessKinds.Role, AccessKinds.ClusterRole, AccessKinds.RoleBinding, AccessKinds.ClusterRoleBinding];
    private static readonly string[] ApiGroups = ["", "coffer.dev", "*"];
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "destroy", "rotate", "impersonate", "seal", "unseal", "verify", "encrypt", "decrypt", "*"];

    private static readonly string[] Resources =
        ["secrets", "secrets/versions", "namespaces", "tokens", "roles", "rolebindings", "clusterroles", "clusterrolebindings", "loginroles", "users", "keys", "sys", "audit", "metrics", "alerts",
        "secrets/rotation", "secrets/rollout", "rotationpolicies", "databaseconnections", "databaseroles", "databasecreds", "leases", "sealedsecrets", "kms", "*", "*/versions"];

    private static readonly string[] SubjectKinds = [AccessKinds.User, AccessKinds.Group, AccessKinds.ServiceAccount];

    /// <summary>Parses and validates every document; the first problem is thrown as a 400 naming the document and field.</summary>
    public static AccessManifest Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (yaml.Length > MaxBytes)
        {
            throw CofferException.Invalid(Reason, $"the manifest is larger than {MaxBytes} characters", "documents");
        }

        var roles = new List<AccessRole>();
        var bindings = new List<AccessBinding>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var documents = ManifestYamlReader.Read(yaml);
        for (var i = 0; i < documents.Count; i++)
        {
            if (documents[i] is not { } root)
            {
                continue;
            }

            var document = new Document(i, root);
            if (!seen.TryAdd(document.Identity, i))
            {
                throw document.Fail("metadata.name", $"repeats document {seen[document.Identity] + 1}: each object may appear once in a manifest");
            }

            switch (document.Kind)
            {
                case AccessKinds.Role or AccessKinds.ClusterRole:
                    roles.Add(document.ReadRole());
                    break;
                default:
                    bindings.Add(document.ReadBinding());
                    break;
            }
        }

        return new AccessManifest(roles, bindings);
    }

    private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    private static string OneOf(string[] allowed) => string.Join(", ", allowed.Select(value => value.Length == 0 ? "\"\"" : value));

    /// <summary>One document being validated; it knows what to call itself in errors as soon as it can.</summary>
    private sealed class Document
    {
        private readonly int index;
        private readonly ManifestMap root;
        private string? name;

        public Document(int index, ManifestNode node)
        {
            this.index = index;
            root = node as ManifestMap ?? throw Fail(string.Empty, $"must be a mapping with apiVersion, kind and metadata (line {node.Line})");

            // Pick up kind, namespace and name leniently first, so every later error can name the object.
            Kind = (root.Get("kind") as ManifestScalar)?.Value;
            var metadata = root.Get("metadata") as ManifestMap;
            Namespace = (metadata?.Get("namespace") as ManifestScalar)?.Value;
            name = (metadata?.Get("name") as ManifestScalar)?.Value;

            var apiVersion = RequireString(root, "apiVersion", string.Empty);
            if (apiVersion != ApiVersion)
            {
                throw Fail("apiVersion", $"must be {ApiVersion}");
            }

            Kind = RequireString(root, "kind", string.Empty);
            if (Array.IndexOf(Kinds, Kind) < 0)
            {
                Kind = null;
                throw Fail("kind", $"must be one of {OneOf(Kinds)}");
            }

            CheckFields(root, IsRole ? RoleFields : BindingFields, string.Empty);
            ReadMetadata(RequireMap(root, "metadata", string.Empty));
        }

        public string? Kind { get; private set; }

        public string? Namespace { get; private set; }

        public string Identity => $"{Kind}/{Namespace}/{name}";

        private bool IsRole => Kind is AccessKinds.Role or AccessKinds.ClusterRole;

        private bool IsNamespaced => Kind is AccessKinds.Role or AccessKinds.RoleBinding;

        public AccessRole ReadRole()
        {
            if (Kind == AccessKinds.Role && root.Entries.Any(entry => entry.Key == "aggregationRule"))
            {
                throw Fail("aggregationRule", "is not a field of a Role");
            }

            if (root.Get("aggregationRule") is not null)
            {
                throw Fail("aggregationRule", "is not supported: list the rules in the ClusterRole itself");
            }

            var rules = new List<PolicyRule>();
            if (root.Get("rules") is { } rulesNode)
            {
                var list = AsList(rulesNode, "rules");
                for (var i = 0; i < list.Items.Count; i++)
                {
                    rules.Add(ReadRule(list.Items[i], $"rules[{i}]"));
                }
            }

            return new AccessRole(Namespace, name!, rules);
        }

        public AccessBinding ReadBinding()
        {
            var roleRefMap = RequireMap(root, "roleRef", string.Empty);
            CheckFields(roleRefMap, RoleRefFields, "roleRef");
            if (RequireString(roleRefMap, "apiGroup", "roleRef") != RbacGroup)
            {
                throw Fail("roleRef.apiGroup", $"must be {RbacGroup}");
            }

            var roleKind = RequireString(roleRefMap, "kind", "roleRef");
            if (roleKind is not (AccessKinds.Role or AccessKinds.ClusterRole))
            {
                throw Fail("roleRef.kind", $"must be {AccessKinds.Role} or {AccessKinds.ClusterRole}");
            }

            if (Kind == AccessKinds.ClusterRoleBinding && roleKind != AccessKinds.ClusterRole)
            {
                throw Fail("roleRef.kind", "must be ClusterRole: a ClusterRoleBinding cannot refer to a namespaced Role");
            }

            var roleName = RequireString(roleRefMap, "name", "roleRef");
            CheckObjectName(roleName, "roleRef.name");

            var subjects = new List<AccessSubject>();
            if (root.Get("subjects") is { } subjectsNode)
            {
                var list = AsList(subjectsNode, "subjects");
                for (var i = 0; i < list.Items.Count; i++)
                {
                    subjects.Add(ReadSubject(list.Items[i], $"subjects[{i}]"));
                }
            }

            return new AccessBinding(Namespace, name!, new RoleRef(roleKind, roleName), subjects);
        }

        public CofferException Fail(string path, string problem)
        {
            var what = Kind is null ? string.Empty : $" ({Kind}{Describe()})";
            var message = path.Length == 0 ? $"document {index + 1}{what}: {problem}" : $"document {index + 1}{what}: {path} {problem}";
            return CofferException.Invalid(Reason, message, path.Length == 0 ? $"documents[{index}]" : $"documents[{index}].{path}");
        }

        private string Describe() => (Namespace, name) switch
        {
            (null, null) => string.Empty,
            (null, _) => $" {name}",
            (_, null) => $" {Namespace}/",
            _ => $" {Namespace}/{name}",
        };

        private void ReadMetadata(ManifestMap metadata)
        {
            CheckFields(metadata, MetadataFields, "metadata");
            var objectName = RequireString(metadata, "name", "metadata");
            name = objectName;
            CheckObjectName(objectName, "metadata.name");

            if (IsNamespaced)
            {
                Namespace = RequireString(metadata, "namespace", "metadata");
                var rule = KubernetesNames.CheckDns1123Label(Namespace);
                if (rule is not null)
                {
                    throw Fail("metadata.namespace", rule);
                }
            }
            else
            {
                Namespace = null;
                if (metadata.Get("namespace") is not null)
                {
                    throw Fail("metadata.namespace", $"must not be set: a {Kind} is cluster-wide");
                }
            }

            foreach (var field in (string[])["labels", "annotations"])
            {
                if (metadata.Get(field) is { } node)
                {
                    var map = AsMap(node, Join("metadata", field));
                    foreach (var (key, value) in map.Entries)
                    {
                        AsString(value, $"metadata.{field}[{key}]");
                    }
                }
            }
        }

        private PolicyRule ReadRule(ManifestNode node, string path)
        {
            var rule = AsMap(node, path);
            CheckFields(rule, RuleFields, path);
            var apiGroups = RequireList(rule, "apiGroups", path, ApiGroups, "API group (Coffer serves every resource in the core group \"\")");
            var resources = RequireList(rule, "resources", path, Resources, "resource");
            var verbs = RequireList(rule, "verbs", path, Verbs, "verb");
            var resourceNames = rule.Get("resourceNames") is { } namesNode ? StringList(namesNode, Join(path, "resourceNames")) : [];
            for (var i = 0; i < resourceNames.Count; i++)
            {
                if (resourceNames[i].Length == 0)
                {
                    throw Fail($"{path}.resourceNames[{i}]", "must not be empty");
                }
            }

            return new PolicyRule(apiGroups, resources, verbs, resourceNames);
        }

        private AccessSubject ReadSubject(ManifestNode node, string path)
        {
            var subject = AsMap(node, path);
            CheckFields(subject, SubjectFields, path);
            var kind = RequireString(subject, "kind", path);
            if (Array.IndexOf(SubjectKinds, kind) < 0)
            {
                throw Fail(Join(path, "kind"), $"must be one of {OneOf(SubjectKinds)}");
            }

            var subjectName = RequireString(subject, "name", path);
            var apiGroup = subject.Get("apiGroup") is { } groupNode ? AsString(groupNode, Join(path, "apiGroup")) : null;
            string? subjectNamespace = null;
            if (kind == AccessKinds.ServiceAccount)
            {
                if (apiGroup is { Length: > 0 })
                {
                    throw Fail(Join(path, "apiGroup"), "must be \"\" (or absent) for a ServiceAccount");
                }

                var nameRule = KubernetesNames.CheckDns1123Subdomain(subjectName);
                if (nameRule is not null)
                {
                    throw Fail(Join(path, "name"), nameRule);
                }

                subjectNamespace = RequireString(subject, "namespace", path);
                var namespaceRule = KubernetesNames.CheckDns1123Label(subjectNamespace);
                if (namespaceRule is not null)
                {
                    throw Fail(Join(path, "namespace"), namespaceRule);
                }
            }
            else
            {
                if (apiGroup is not null && apiGroup != RbacGroup)
                {
                    throw Fail(Join(path, "apiGroup"), $"must be {RbacGroup} (or absent) for a {kind}");
                }

                if (subjectName.Length == 0)
                {
                    throw Fail(Join(path, "name"), "must not be empty");
                }

                if (subject.Get("namespace") is not null)
                {
                    throw Fail(Join(path, "namespace"), $"must not be set for a {kind}");
                }
            }

            return new AccessSubject(kind, subjectName, subjectNamespace);
        }

        // Kubernetes' rule for RBAC object names: a path segment, not a DNS name, so colons and capitals are fine.
        private void CheckObjectName(string value, string path)
        {
            if (value.Length == 0)
            {
                throw Fail(path, "must not be empty");
            }

            if (value.Length > MaxNameLength)
            {
                throw Fail(path, $"must be no more than {MaxNameLength} characters");
            }

            if (value is "." or ".." || value.Contains('/', StringComparison.Ordinal) || value.Contains('%', StringComparison.Ordinal))
            {
                throw Fail(path, "must not be \".\" or \"..\" and must not contain \"/\" or \"%\"");
            }
        }

        private void CheckFields(ManifestMap map, string[] allowed, string path)
        {
            foreach (var (key, _) in map.Entries)
            {
                if (Array.IndexOf(allowed, key) < 0)
                {
                    throw Fail(Join(path, key), $"is not a known field (expected {string.Join(", ", allowed)})");
                }
            }
        }

        private List<string> RequireList(ManifestMap map, string field, string path, string[] allowed, string what)
        {
            var fieldPath = Join(path, field);
            var node = map.Get(field) ?? throw Fail(fieldPath, "is required");
            var values = StringList(node, fieldPath);
            if (values.Count == 0)
            {
                throw Fail(fieldPath, "must not be empty");
            }

            for (var i = 0; i < values.Count; i++)
            {
                if (Array.IndexOf(allowed, values[i]) < 0)
                {
                    throw Fail($"{fieldPath}[{i}]", $"is not a supported {what}; use one of {OneOf(allowed)}");
                }
            }

            return values;
        }

        private List<string> StringList(ManifestNode node, string path)
        {
            var list = AsList(node, path);
            var values = new List<string>(list.Items.Count);
            for (var i = 0; i < list.Items.Count; i++)
            {
                values.Add(AsString(list.Items[i], $"{path}[{i}]"));
            }

            return values;
        }

        private string RequireString(ManifestMap map, string field, string path) =>
            AsString(map.Get(field) ?? throw Fail(Join(path, field), "is required"), Join(path, field));

        private ManifestMap RequireMap(ManifestMap map, string field, string path) =>
            AsMap(map.Get(field) ?? throw Fail(Join(path, field), "is required"), Join(path, field));

        private string AsString(ManifestNode node, string path) => node switch
        {
            ManifestScalar { IsNull: false } scalar => scalar.Value,
            ManifestScalar => throw Fail(path, $"must be a string, not null (line {node.Line})"),
            _ => throw Fail(path, $"must be a string, not a {NodeType(node)} (line {node.Line})"),
        };

        private ManifestMap AsMap(ManifestNode node, string path) =>
            node as ManifestMap ?? throw Fail(path, $"must be a mapping, not a {NodeType(node)} (line {node.Line})");

        private ManifestList AsList(ManifestNode node, string path) =>
            node as ManifestList ?? throw Fail(path, $"must be a list, not a {NodeType(node)} (line {node.Line})");

        private static string NodeType(ManifestNode node) => node switch
        {
            ManifestMap => "mapping",
            ManifestList => "list",
            _ => "string",
        };
    }
}
