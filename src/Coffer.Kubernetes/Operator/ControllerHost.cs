using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Operator;

/// <summary>Wires <c>coffer k8s controller</c>: the cluster client, the Coffer connection, and the controller.</summary>
internal static class ControllerHost
{
    public static async Task RunAsync(ControllerHostOptions options, ILoggerFactory logging, CancellationToken cancellationToken)
    {
        var config = options.Kubeconfig is null ? KubernetesClientConfiguration.InClusterConfig() : KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig);
        using var kube = new k8s.Kubernetes(config);
        using var handler = CofferHandler(options.CofferCaFile);
        using var http = new HttpClient(handler) { BaseAddress = options.CofferAddress, Timeout = Timeout.InfiniteTimeSpan };
        var key = await File.ReadAllBytesAsync(options.HashKeyFile, cancellationToken).ConfigureAwait(false);
        var connection = new CofferConnection(
            http,
            async ct => (await File.ReadAllTextAsync(options.TokenFile, ct).ConfigureAwait(false)).Trim(),
            TimeProvider.System);
        var controllerOptions = new ControllerOptions(options.Resync, options.ReloadDebounce, key);
        var logger = logging.CreateLogger("Coffer.Kubernetes.Operator");
        await using var sealedSecrets = new SealedSecretController(kube, connection, controllerOptions, TimeProvider.System, logger);
        if (options.SealedSecrets)
        {
            sealedSecrets.Start();
        }

        await using var controller = new CofferSecretController(kube, connection, controllerOptions, TimeProvider.System, logger);
        await controller.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Trusts only the given CA for Coffer when one is named (the in-cluster deployment's own CA).</summary>
    internal static SocketsHttpHandler CofferHandler(string? caFile)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (caFile is not null)
        {
            var trusted = new X509Certificate2Collection();
            trusted.ImportFromPemFile(caFile);
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(trusted);
        }

        return handler;
    }
}
