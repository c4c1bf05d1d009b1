using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Server.Leases;

namespace Coffer.Server.Rotation;

/// <summary>The rotation and dynamic-credential API's JSON, as strict as the rest of the API.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false,
    RespectNullableAnnotations = true,
    NumberHandling = JsonNumberHandling.Strict,
    UseStringEnumConverter = true,
    MaxDepth = 16)]
[JsonSerializable(typeof(RotationPolicyDocument))]
[JsonSerializable(typeof(NamespacePolicyDocument))]
[JsonSerializable(typeof(RotationStepRequest))]
[JsonSerializable(typeof(RolloutReport))]
[JsonSerializable(typeof(RolloutAnswer))]
[JsonSerializable(typeof(RotationResource))]
[JsonSerializable(typeof(RotationStatusList))]
[JsonSerializable(typeof(RotationDueNotice))]
[JsonSerializable(typeof(WebhookStepRequest))]
[JsonSerializable(typeof(DatabaseConnectionDocument))]
[JsonSerializable(typeof(DatabaseRoleDocument))]
[JsonSerializable(typeof(LeaseBody))]
[JsonSerializable(typeof(CredentialRequest))]
[JsonSerializable(typeof(CredentialResponse))]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(LeaseResource))]
[JsonSerializable(typeof(LeaseList))]
[JsonSerializable(typeof(LeasesRevoked))]
internal sealed partial class RotationJsonContext : JsonSerializerContext;
