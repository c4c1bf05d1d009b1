using Coffer.Server.Alerts;
using Coffer.Server.Auth;
using Prometheus;

namespace Coffer.Server.Metrics;

/// <summary>
/// <c>/metrics</c> for Prometheus (a bearer token with <c>get</c> on <c>metrics</c>; open while sealed, so the seal
/// state can be scraped) and <c>/v1/alerts</c>, the alerts raised since the server started.
/// </summary>
internal static class MetricsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, CofferMetrics metrics)
    {
        routes.MapMetrics("/metrics", metrics.Registry).RequireAccess("get", "metrics").WithTags("Metrics");
        routes.MapGet("/v1/alerts", (AlertDispatcher alerts) => Results.Json(new AlertList(alerts.Recent), AlertJsonContext.Default.AlertList))
            .RequireAccess("list", "alerts").WithTags("Metrics").Produces<AlertList>();
    }
}
