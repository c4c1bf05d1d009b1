namespace Coffer.Server.Rotation;

/// <summary>The one HTTP client for rotation webhooks and due-soon notices: no redirects (a value never follows one), a short timeout.</summary>
internal sealed class RotationHttp : IDisposable
{
    public HttpClient Client { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public void Dispose() => Client.Dispose();
}
