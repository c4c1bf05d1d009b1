using System.Text.Json.Nodes;
using Coffer.Kubernetes.Sealing;

namespace Coffer.Kubernetes.Kms;

/// <summary>The kube-apiserver EncryptionConfiguration (apiserver.config.k8s.io/v1) that points at the plugin.</summary>
public static class EncryptionConfiguration
{
    /// <summary>KMS v2 first, so every write is encrypted with Coffer's key; identity last, so Secrets written before stay readable.</summary>
    public static string ToYaml(string providerName, string endpoint, IReadOnlyList<string> resources, TimeSpan timeout)
    {
        var list = new JsonArray();
        foreach (var resource in resources)
        {
            list.Add(resource);
        }

        var configuration = new JsonObject
        {
            ["apiVersion"] = "apiserver.config.k8s.io/v1",
            ["kind"] = "EncryptionConfiguration",
            ["resources"] = new JsonArray(new JsonObject
            {
                ["resources"] = list,
                ["providers"] = new JsonArray(
                    new JsonObject
                    {
                        ["kms"] = new JsonObject
                        {
                            ["apiVersion"] = "v2",
                            ["name"] = providerName,
                            ["endpoint"] = endpoint,
                            ["timeout"] = $"{(int)timeout.TotalSeconds}s",
                        },
                    },
                    new JsonObject { ["identity"] = new JsonObject() }),
            }),
        };
        return ManifestText.ToYaml(configuration);
    }

    /// <summary>The documented steps: enable, then rewrite every Secret so it is stored under the current key.</summary>
    public static string Steps(string configPath, string endpoint) => $"""
        Next steps, on every control-plane node:
          1. Run the plugin next to kube-apiserver (static pod or systemd unit):
               coffer k8s kms-plugin --listen {endpoint} --server https://coffer.example:8200 --token-file /etc/coffer/kms-token
          2. Save this configuration as {configPath} (mode 0600) and start kube-apiserver with
               --encryption-provider-config={configPath}
          3. Rewrite every Secret so it is stored encrypted with Coffer's key (identity stays last, so Secrets not yet
             rewritten remain readable):
               kubectl get secrets --all-namespaces -o json | kubectl replace -f -
        After 'coffer operator rotate' the plugin reports a new key_id; kube-apiserver uses it for new writes. Run the
        command of step 3 again to rewrite every Secret under the new key before the old one is retired.

        """;
}
