using static Coffer.Scanning.Rules.RulePattern;
using static Coffer.Scanning.Rules.SampleSecret;

namespace Coffer.Scanning.Rules;

/// <summary>Key material, JWTs, connection strings and the credential files of kubectl, Docker and friends.</summary>
internal static class CredentialRules
{
    private const string UriTail = @"@[^\s/'""@]+";

    public static IEnumerable<DetectionRule> All =>
    [
        PrivateKey("private-key-rsa", "RSA private key", "RSA PRIVATE KEY"),
        PrivateKey("private-key-ec", "EC private key", "EC PRIVATE KEY"),
        PrivateKey("private-key-dsa", "DSA private key", "DSA PRIVATE KEY"),
        PrivateKey("private-key-openssh", "OpenSSH private key", "OPENSSH PRIVATE KEY"),
        PrivateKey("private-key-pkcs8", "PKCS#8 private key", "PRIVATE KEY"),
        PrivateKey("private-key-encrypted", "Encrypted PKCS#8 private key", "ENCRYPTED PRIVATE KEY"),
        PrivateKey("private-key-pgp", "PGP private key block", "PGP PRIVATE KEY BLOCK"),
        new("putty-private-key", "PuTTY private key", ["putty-user-key-file"], @"(PuTTY-User-Key-File-\d: [\w-]+)",
            "PuTTY-User-Key-File-3: ssh-ed25519", "PuTTY key files are documented elsewhere"),
        new("jwt", "JSON Web Token", ["eyj"], Token(@"eyJ[A-Za-z0-9_-]{15,}\.eyJ[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]{10,}"),
            $"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.{Base64Url(43)}", "header = eyJhbGciOiJIUzI1NiJ9"),
        new("postgres-uri-password", "PostgreSQL URL with a password", ["postgres"], @"(?i)\bpostgres(?:ql)?(?:\+\w+)?://[^\s:/@'""]+:([^\s@/'""]+)" + UriTail,
            $"DATABASE_URL=postgres://app:{Alnum(16)}@db.internal:5432/app", "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app"),
        new("mysql-uri-password", "MySQL URL with a password", ["mysql"], @"(?i)\bmysqlx?(?:\+\w+)?://[^\s:/@'""]+:([^\s@/'""]+)" + UriTail,
            $"url: mysql://root:{Alnum(16)}@mysql:3306/shop", "url: mysql://root@mysql:3306/shop"),
        new("mongodb-uri-password", "MongoDB URL with a password", ["mongodb"], @"(?i)\bmongodb(?:\+srv)?://[^\s:/@'""]+:([^\s@/'""]+)" + UriTail,
            $"MONGO_URL=mongodb+srv://app:{Alnum(16)}@cluster0.mongodb.net/db", "MONGO_URL=mongodb://localhost:27017/db"),
        new("redis-uri-password", "Redis URL with a password", ["redis"], @"(?i)\brediss?://[^\s:/@'""]*:([^\s@/'""]+)" + UriTail,
            $"REDIS_URL=redis://:{Alnum(16)}@redis:6379/0", "REDIS_URL=redis://redis:6379/0"),
        new("amqp-uri-password", "AMQP (RabbitMQ) URL with a password", ["amqp"], @"(?i)\bamqps?://[^\s:/@'""]+:([^\s@/'""]+)" + UriTail,
            $"AMQP_URL=amqp://guest:{Alnum(16)}@rabbit:5672/", "AMQP_URL=amqp://guest:<password>@rabbit:5672/"),
        new("jdbc-password", "JDBC URL with a password parameter", ["jdbc"], @"(?i)jdbc:[a-z0-9:]+:[^\s'""]*[?;&]password=([^\s&;'""]+)",
            $"spring.datasource.url=jdbc:postgresql://db:5432/app?user=app&password={Alnum(14)}", "spring.datasource.url=jdbc:postgresql://db:5432/app?user=app"),
        new("ado-net-connection-string", "ADO.NET connection string with a password", ["password", "pwd"], @"(?i)(?:server|data source|host)\s*=[^'""\n]*?;\s*(?:password|pwd)\s*=\s*([^;'""\s]{4,})",
            $"\"Server=sql01;Database=app;User Id=app;Password={Alnum(14)};\"", "\"Server=sql01;Database=app;Integrated Security=true;\"") { Precondition = Preconditions.PasswordAfterSemicolon },
        new("uri-credentials", "URL with an embedded password", ["://"], @"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'""]+:([^\s@/'""]{3,})" + UriTail,
            $"git clone https://deploy:{Alnum(20)}@git.example.org/repo.git", "see https://user@host/path and http://host:8080/") { IsGeneric = true },
        new("kubeconfig-token", "Bearer token in a kubeconfig", ["token:"], @"^\s*token:\s*[""']?([A-Za-z0-9._~+/=-]{20,})[""']?\s*$",
            $"    token: {Base64Url(40)}", "    token: \"\"") { Entropy = 3.0 },
        new("kubeconfig-client-key-data", "Client private key in a kubeconfig", ["client-key-data"], @"client-key-data:\s*[""']?([A-Za-z0-9+/=]{20,})",
            $"    client-key-data: LS0tLS1CRUdJTi{Base64(80)}", "    client-key-data: REDACTED"),
        new("kubeconfig-password", "Basic-auth password in a kubeconfig", ["password:"], @"^\s*password:\s*[""']?([^\s""']{6,})[""']?\s*$",
            $"    password: {Alnum(14)}", "    password: \"${KUBE_PASSWORD}\"") { Entropy = 2.0, Precondition = Preconditions.StartsWithPasswordKey },
        new("docker-config-auth", "Registry credential in a Docker config.json", ["\"auth\""], @"""auth""\s*:\s*""([A-Za-z0-9+/]{8,}={0,2})""",
            $"      \"auth\": \"{Base64(40)}\"", "      \"auth\": \"\"") { Entropy = 3.0 },
        new("docker-config-identity-token", "Identity token in a Docker config.json", ["identitytoken"], @"""identitytoken""\s*:\s*""([^""]{16,})""",
            $"      \"identitytoken\": \"{Base64Url(40)}\"", "      \"identitytoken\": \"\""),
        new("netrc-password", "Password in a .netrc file", ["machine"], @"(?i)\bmachine\s+\S+\s+login\s+\S+\s+password\s+(\S+)",
            $"machine api.github.com login bot password {Alnum(20)}", "machine api.github.com login bot"),
        new("htpasswd-bcrypt", "Password hash in an htpasswd file", ["$2y$", "$2a$", "$2b$"], @"^[\w.-]+:(\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53})",
            $"admin:$2y$10${Alnum(53)}", "bcrypt hashes start with $2y$"),
    ];

    private static DetectionRule PrivateKey(string id, string description, string label) =>
        new(id, description, [label.ToLowerInvariant()], $@"(-----BEGIN {label}-----)",
            $"-----BEGIN {label}-----", $"-----BEGIN {label.Replace("PRIVATE", "PUBLIC", StringComparison.Ordinal)}-----");
}
