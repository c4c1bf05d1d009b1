using System.Buffers.Text;
using System.Text;
using Coffer.Core.Errors;
using Coffer.Core.Naming;

namespace Coffer.Server.Secrets;

/// <summary>An opaque paging token: the last name returned, base64url-encoded.</summary>
internal static class ContinueToken
{
    public static string Encode(string lastName) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastName));

    public static string? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            if (token.Length <= 400)
            {
                var name = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
                if (KubernetesNames.CheckDns1123Subdomain(name) is null)
                {
                    return name;
                }
            }
        }
        catch (FormatException)
        {
            // Reported below.
        }

        throw CofferException.Invalid("InvalidContinueToken", "continue is not a token this server issued", "continue");
    }
}
