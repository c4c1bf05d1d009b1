using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests.Hosting;

/// <summary>A real HTTP receiver on 127.0.0.1 and a free port, standing in for a webhook or SIEM endpoint.</summary>
internal sealed class LoopbackHttpServer(WebApplication app, Uri baseAddress) : IAsyncDisposable
{
    /// <summary>The root, without a trailing slash.</summary>
    public Uri BaseAddress => baseAddress;

    public static async Task<LoopbackHttpServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackHttpServer(app, new Uri(address.TrimEnd('/')));
    }

    public Uri At(string path) => new(baseAddress, path);

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
