using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coffer.Kubernetes.Operator;

/// <summary>Kubernetes Events the operator records on the objects it acts for; a refused event never stops the work.</summary>
internal static class OperatorEvents
{
    public static async Task RecordAsync(IKubernetes kube, ILogger logger, V1ObjectReference regarding, string type, string reason, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = now.UtcDateTime;
        var record = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = regarding.Name + ".", NamespaceProperty = regarding.NamespaceProperty },
            InvolvedObject = regarding,
            Reason = reason,
            Message = message,
            Type = type,
            Source = new V1EventSource { Component = "coffer-operator" },
            FirstTimestamp = at,
            LastTimestamp = at,
            Count = 1,
        };
        try
        {
            await kube.CoreV1.CreateNamespacedEventAsync(record, regarding.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            OperatorLog.EventFailed(logger, reason, regarding.NamespaceProperty, regarding.Name, e);
        }
    }
}
