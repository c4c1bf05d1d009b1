namespace Coffer.Server.Auth;

/// <summary>Endpoint metadata: the verb and resource an endpoint needs. Endpoints without it are refused.</summary>
/// <param name="FilteredList">
/// A list that callers without the verb may still call if they can see the namespace: the endpoint then shows only
/// the objects they may <c>get</c>.
/// </param>
/// <param name="Verb">Empty for endpoints open to any authenticated caller that check each object themselves through <see cref="IAccessAuthorizer"/>.</param>
internal sealed record RequiredAccess(string Verb, string Resource, bool FilteredList = false)
{
    public bool ChecksItself => Verb.Length == 0;
}
