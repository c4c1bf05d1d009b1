namespace Coffer.Kubernetes.Webhook;

/// <param name="Image">The image of the init container and renewal sidecar (it carries the <c>coffer</c> binary).</param>
/// <param name="CofferAddress">The Coffer server's URL as pods reach it.</param>
/// <param name="Audience">Audience of the projected service-account token the pod logs in with.</param>
internal sealed record InjectionOptions(string Image, string CofferAddress, string Audience = "coffer");
