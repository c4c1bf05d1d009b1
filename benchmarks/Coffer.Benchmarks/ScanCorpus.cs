using System.Security.Cryptography;
using System.Text;

namespace Coffer.Benchmarks;

/// <summary>
/// A folder of generated source and config files with secrets embedded at known lines, of types both
/// <c>coffer scan</c> and secretlint's recommended preset detect.
/// </summary>
internal sealed class ScanCorpus
{
    private const string Alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Hex = "0123456789abcdef";
    private const string Digits = "0123456789";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Base64Url = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    private const string Base64 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/";

    /// <summary>One generator per secret type; the prefixes are split so this file is no token itself.</summary>
    private static readonly (string Type, Func<string> Line)[] Secrets =
    [
        ("github-pat", () => $"    token = \"ghp" + $"_{R(Alnum, 36)}\""),
        ("github-fine-grained-pat", () => $"GH_TOKEN=github" + $"_pat_{R(Alnum, 22)}_{R(Alnum, 59)}"),
        ("gitlab-pat", () => $"  gitlab_token: glpat" + $"-{R(Alnum, 20)}"),
        ("slack-bot-token", () => $"const slack = \"xoxb" + $"-{R(Digits, 12)}-{R(Digits, 13)}-{R(Alnum, 24)}\";"),
        ("slack-webhook-url", () => $"WEBHOOK = \"https://hooks.slack.com/services/T{R(Upper, 8)}/B{R(Upper, 10)}/{R(Alnum, 24)}\""),
        ("stripe-live-secret-key", () => $"STRIPE_SECRET_KEY=sk" + $"_live_{R(Alnum, 24)}"),
        ("sendgrid-api-token", () => $"    sendgrid.setApiKey(\"SG" + $".{R(Base64Url, 22)}.{R(Base64Url, 43)}\");"),
        ("npm-access-token", () => $"//registry.npmjs.org/:_authToken=npm" + $"_{R(Alnum, 36)}"),
        ("huggingface-access-token", () => $"HF_TOKEN = \"hf" + $"_{R(Letters, 34)}\""),
        ("anthropic-api-key", () => $"ANTHROPIC_API_KEY=sk-ant" + $"-api03-{R(Base64Url, 93)}AA"),
        ("openai-api-key", () => $"client = OpenAI(api_key=\"sk-proj" + $"-{R(Alnum, 58)}T3Blbk" + $"FJ{R(Alnum, 58)}\")"),
        ("shopify-access-token", () => $"  config.shopify_token = \"shpat" + $"_{R(Hex, 32)}\""),
        ("postgres-uri-password", () => $"DATABASE_URL=postgres://app:{R(Alnum, 16)}@db.internal:5432/app"),
        ("mysql-uri-password", () => $"    url: \"mysql://root:{R(Alnum, 16)}@mysql:3306/shop\""),
        ("mongodb-uri-password", () => $"MONGO_URL=mongodb+srv://app:{R(Alnum, 16)}@cluster0.mongodb.net/db"),
        ("basic-auth-url", () => $"  endpoint: https://admin:{R(Alnum, 16)}@internal.example.com/api"),
        ("aws-secret-access-key", () => $"aws_secret_access_key = {R(Base64, 40)}"),
        ("groq-api-key", () => $"GROQ_API_KEY=gsk" + $"_{R(Alnum, 52)}"),
        ("linear-api-key", () => $"    linear = LinearClient(\"lin" + $"_api_{R(Alnum, 40)}\")"),
        ("databricks-api-token", () => $"DATABRICKS_TOKEN=dapi{R(Hex, 32)}"),
        ("grafana-service-account-token", () => $"GRAFANA_TOKEN=glsa" + $"_{R(Alnum, 32)}_{R(Hex, 8)}"),
    ];

    /// <summary>Ordinary lines of several languages, with look-alikes (hashes, ids, env lookups) but no secrets.</summary>
    private static readonly string[] Filler =
    [
        "using System.Collections.Generic;",
        "    public async Task<Order> GetOrderAsync(int id, CancellationToken cancellationToken) => await db.Orders.FindAsync([id], cancellationToken);",
        "    var password = configuration[\"Smtp:Password\"];",
        "def handle_request(request, *args, **kwargs):",
        "    token = os.environ.get(\"API_TOKEN\")",
        "    return JsonResponse({\"status\": \"ok\", \"items\": [item.to_dict() for item in items]})",
        "func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {",
        "\tif err != nil {\n\t\treturn fmt.Errorf(\"open %s: %w\", path, err)\n\t}",
        "const router = express.Router();",
        "router.get('/api/users/:id', async (req, res) => res.json(await users.find(req.params.id)));",
        "  image: registry.example.com/app@sha256:{HASH64}",
        "  commit: {HASH40}",
        "  request_id: {UUID}",
        "    <PackageReference Include=\"Serilog\" Version=\"4.2.0\" />",
        "SELECT id, name, created_at FROM customers WHERE tenant_id = @tenant ORDER BY created_at DESC;",
        "# Read the secret from the mounted file instead of the environment.",
        "  password: ${DB_PASSWORD}",
        "  apiKey: \"{{ .Values.apiKey }}\"",
        "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
        "for (int i = 0; i < buffer.Length; i++) { checksum ^= buffer[i]; }",
        "    logger.info(\"processed %d records in %.2fs\", count, elapsed)",
        "export function formatPrice(cents: number): string { return (cents / 100).toFixed(2); }",
        "  - name: LOG_LEVEL\n    value: info",
        "if __name__ == \"__main__\":\n    main()",
    ];

    private static readonly string[] Extensions = [".cs", ".py", ".go", ".js", ".ts", ".yaml", ".env", ".json", ".java", ".rb"];

    public required string Folder { get; init; }

    public required long Bytes { get; init; }

    public required IReadOnlyList<(string Path, int Line, string Type)> Embedded { get; init; }

    /// <summary>Writes about <paramref name="megabytes"/> MB in files of about 32 KiB, one secret every <paramref name="linesPerSecret"/> lines.</summary>
    public static async Task<ScanCorpus> WriteAsync(string folder, int megabytes, int linesPerSecret, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var embedded = new List<(string, int, string)>();
        long total = 0;
        var fileIndex = 0;
        var target = (long)megabytes * 1024 * 1024;
        while (total < target)
        {
            var relative = $"src/module{fileIndex / 100:D3}/file{fileIndex:D5}{Extensions[fileIndex % Extensions.Length]}";
            var builder = new StringBuilder(34 * 1024);
            var line = 0;
            while (builder.Length < 32 * 1024)
            {
                string text;
                if (RandomNumberGenerator.GetInt32(linesPerSecret) == 0)
                {
                    var (type, generate) = Secrets[RandomNumberGenerator.GetInt32(Secrets.Length)];
                    text = generate();
                    embedded.Add((relative, line + 1, type));
                }
                else
                {
                    text = Filler[RandomNumberGenerator.GetInt32(Filler.Length)]
                        .Replace("{HASH64}", R(Hex, 64), StringComparison.Ordinal)
                        .Replace("{HASH40}", R(Hex, 40), StringComparison.Ordinal)
                        .Replace("{UUID}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
                }

                builder.Append(text).Append('\n');
                line += text.Count(c => c == '\n') + 1;
            }

            var path = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, builder.ToString(), cancellationToken).ConfigureAwait(false);
            total += Encoding.UTF8.GetByteCount(builder.ToString());
            fileIndex++;
        }

        return new ScanCorpus { Folder = folder, Bytes = total, Embedded = embedded };
    }

    private static string R(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);
}
