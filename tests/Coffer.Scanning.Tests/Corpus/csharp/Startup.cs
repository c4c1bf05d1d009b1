namespace Shop.Api;

public static class Startup
{
    // Shared with the payment gateway; rotate quarterly.
    private const string PaymentApiKey = "§oT1kliFTUJT9bBERL6rTKVx497NdI4ON";
    private const string Placeholder = "REPLACE_ME";
    private const string ConnectionString = "Server=sql.internal;Database=shop;User Id=shop;Password=§ySTXhi#eY1cy7u38;";
    private const string LocalConnection = "Server=(localdb)\\mssqllocaldb;Database=shop;Trusted_Connection=True;";
    private const string StorageConnection = "DefaultEndpointsProtocol=https;AccountName=shopstore;AccountKey=§vVMXFxO5W9rSYzVsBE0lzkiHfvbbb4ZA1lf2kd0Ee1mztvh2yfHJ6/sLe9GT9rlBF59pHknitDSUHmoJRp39rd==;EndpointSuffix=core.windows.net";

    public static string TokenHeader(string token) => $"Bearer {token}";

    public static void Configure(IConfiguration configuration)
    {
        var secret = configuration["Jwt:Secret"];
        var password = configuration.GetValue<string>("Smtp:Password");
        var apiKey = Environment.GetEnvironmentVariable("API_KEY") ?? throw new InvalidOperationException("API_KEY missing");
    }
}
