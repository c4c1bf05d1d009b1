using Coffer.Core.Access;

namespace Coffer.Storage;

public sealed record AccessObjects(IReadOnlyList<AccessRole> Roles, IReadOnlyList<AccessBinding> Bindings);
