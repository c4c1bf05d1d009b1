using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Kubernetes.Webhook;

namespace Coffer.Kubernetes.Tests.Webhook;

/// <summary>The mutating webhook's answers to recorded AdmissionReview requests, and to malformed ones.</summary>
public sealed class PodInjectionTests
{
    private static readonly InjectionOptions Options = new("ghcr.io/coffer/coffer:1.0", "https://coffer.coffer-system.svc:8200");

    private static JsonObject Recorded(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Webhook", "Recorded", name)))!.AsObject();

    private static JsonObject Answer(JsonObject review) => PodInjection.Review(Encoding.UTF8.GetBytes(review.ToJsonString()), Options);

    private static JsonArray Patch(JsonObject answer) =>
        JsonNode.Parse(Convert.FromBase64String(answer["response"]!["patch"]!.GetValue<string>()))!.AsArray();

    [Fact]
    public void Review_RecordedPodAskingForSecrets_AnswersTheExpectedJsonPatch()
    {
        var answer = Answer(Recorded("pod-asks-for-secrets.json"));

        Assert.Equal("admission.k8s.io/v1", answer["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", answer["kind"]!.GetValue<string>());
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", answer["response"]!["uid"]!.GetValue<string>());
        Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", answer["response"]!["patchType"]!.GetValue<string>());
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Webhook", "Recorded", "pod-asks-for-secrets.patch.json")));
        Assert.True(JsonNode.DeepEquals(expected, Patch(answer)), Patch(answer).ToJsonString());
    }

    [Fact]
    public void Review_OnlyTheContainersThatAsked_GetTheMount()
    {
        var patch = Patch(Answer(Recorded("pod-asks-for-secrets.json")));

        Assert.DoesNotContain(patch, op => op!["path"]!.GetValue<string>().StartsWith("/spec/containers/1", StringComparison.Ordinal));
        Assert.DoesNotContain(patch, op => op!["path"]!.GetValue<string>() == "/spec/containers/-");
    }

    [Fact]
    public void Review_RenewAndNoExistingLists_AddsSidecarAndWholeLists()
    {
        var review = Recorded("pod-asks-for-secrets.json");
        var pod = review["request"]!["object"]!;
        pod["metadata"]!["annotations"]!["coffer.dev/renew"] = "true";
        pod["spec"]!.AsObject().Remove("volumes");
        pod["spec"]!["containers"]![0]!.AsObject().Remove("volumeMounts");

        var patch = Patch(Answer(review));

        Assert.Equal("/spec/volumes", patch[0]!["path"]!.GetValue<string>());
        Assert.Equal("/spec/volumes/-", patch[1]!["path"]!.GetValue<string>());
        Assert.Contains(patch, op => op!["path"]!.GetValue<string>() == "/spec/containers/0/volumeMounts");
        var sidecar = patch.Single(op => op!["path"]!.GetValue<string>() == "/spec/containers/-")!["value"]!;
        Assert.Equal("coffer-renew", sidecar["name"]!.GetValue<string>());
        Assert.Contains("--watch", sidecar["args"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public void Review_PodNotAsking_OrAlreadyInjected_AllowedWithoutPatch()
    {
        var plain = Recorded("pod-asks-for-secrets.json");
        plain["request"]!["object"]!["metadata"]!.AsObject().Remove("annotations");
        var injected = Recorded("pod-asks-for-secrets.json");
        injected["request"]!["object"]!["metadata"]!["annotations"]!["coffer.dev/injected"] = "true";

        foreach (var review in new[] { plain, injected })
        {
            var response = Answer(review)["response"]!;
            Assert.True(response["allowed"]!.GetValue<bool>());
            Assert.Null(response["patch"]);
        }
    }

    [Theory]
    [InlineData("coffer.dev/containers", "sidecar-that-does-not-exist", "container")]
    [InlineData("coffer.dev/containers", ",", "names no container")]
    [InlineData("coffer.dev/secrets", "db=team-a", "alias=namespace/name")]
    [InlineData("coffer.dev/secrets", "DB=team-a/x", "alias=namespace/name")]
    [InlineData("coffer.dev/secrets", "", "names no secret")]
    [InlineData("coffer.dev/role", "Not A Role", "coffer.dev/role")]
    public void Review_PodAskingBadly_IsDeniedWithAReason(string annotation, string value, string expected)
    {
        var review = Recorded("pod-asks-for-secrets.json");
        review["request"]!["object"]!["metadata"]!["annotations"]![annotation] = value;

        var response = Answer(review)["response"]!;

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(400, response["status"]!["code"]!.GetValue<int>());
        Assert.Contains(expected, response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Review_PodWithWrongTypes_IsDeniedNotCrashed()
    {
        var review = Recorded("pod-asks-for-secrets.json");
        review["request"]!["object"]!["spec"]!["containers"] = "not-a-list";
        var noSpec = Recorded("pod-asks-for-secrets.json");
        noSpec["request"]!["object"]!.AsObject().Remove("spec");
        var numericName = Recorded("pod-asks-for-secrets.json");
        numericName["request"]!["object"]!["spec"]!["containers"]![0]!["name"] = 7;

        foreach (var bad in new[] { review, noSpec, numericName })
        {
            Assert.False(Answer(bad)["response"]!["allowed"]!.GetValue<bool>());
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":7}}""")]
    [InlineData("""{"apiVersion":7,"kind":"AdmissionReview","request":{"uid":"x"}}""")]
    public void Review_MalformedReview_ThrowsJsonExceptionForA400(string body) =>
        Assert.ThrowsAny<JsonException>(() => PodInjection.Review(Encoding.UTF8.GetBytes(body), Options));

    [Fact]
    public void Review_NoObject_IsDenied()
    {
        var answer = PodInjection.Review("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1"}}"""u8, Options);
        Assert.False(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("u1", answer["response"]!["uid"]!.GetValue<string>());
    }
}
