using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Server.Access;
using Coffer.Server.Auth;
using Coffer.Server.Kms;
using Coffer.Server.Sealing;
using Coffer.Server.Seal;
using Coffer.Server.Secrets;

namespace Coffer.Server.Api;

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false,
    RespectNullableAnnotations = true,
    NumberHandling = JsonNumberHandling.Strict,
    UseStringEnumConverter = true,
    MaxDepth = 16)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(SecretWriteRequest))]
[JsonSerializable(typeof(SecretResource))]
[JsonSerializable(typeof(SecretList))]
[JsonSerializable(typeof(SecretVersionList))]
[JsonSerializable(typeof(RollbackRequest))]
[JsonSerializable(typeof(MetadataPatchRequest))]
[JsonSerializable(typeof(InitRequest))]
[JsonSerializable(typeof(InitResponse))]
[JsonSerializable(typeof(UnsealRequest))]
[JsonSerializable(typeof(GenerateRootRequest))]
[JsonSerializable(typeof(GenerateRootResponse))]
[JsonSerializable(typeof(SealStatus))]
[JsonSerializable(typeof(KeyRingStatus))]
[JsonSerializable(typeof(TokenCreateRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenRenewRequest))]
[JsonSerializable(typeof(KubernetesLoginRequest))]
[JsonSerializable(typeof(OidcLoginRequest))]
[JsonSerializable(typeof(LoginRoleRequest))]
[JsonSerializable(typeof(LoginRoleResource))]
[JsonSerializable(typeof(LoginRoleList))]
[JsonSerializable(typeof(TokenList))]
[JsonSerializable(typeof(TokenRevoked))]
[JsonSerializable(typeof(NamespaceCreateRequest))]
[JsonSerializable(typeof(NamespaceResource))]
[JsonSerializable(typeof(NamespaceList))]
[JsonSerializable(typeof(NamespaceDeleted))]
[JsonSerializable(typeof(AccessChangeList))]
[JsonSerializable(typeof(CanIRequest))]
[JsonSerializable(typeof(CanIResponse))]
[JsonSerializable(typeof(WhoCanResponse))]
[JsonSerializable(typeof(AccessReviewResponse))]
[JsonSerializable(typeof(KmsEncryptRequest))]
[JsonSerializable(typeof(KmsEncryptResponse))]
[JsonSerializable(typeof(KmsDecryptRequest))]
[JsonSerializable(typeof(KmsDecryptResponse))]
[JsonSerializable(typeof(KmsStatusResponse))]
[JsonSerializable(typeof(SealingVerifyResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
