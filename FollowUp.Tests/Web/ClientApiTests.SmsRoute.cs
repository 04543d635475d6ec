using System.Net;
using System.Text.Json;

namespace FollowUp.Tests.Web;

/// <summary>sms_route: a client's own SMS webhook route, stored with its secret encrypted, never returned, validated on save.</summary>
public sealed partial class ClientApiTests
{
    private const string RouteJson = "\"sms_route\": { \"url\": \"https://hooks.acme.example/sms\", \"secret\": \"acme-route-secret-0123\" }";

    [Test]
    public async Task Put_SmsRoute_StoredEncrypted_ReturnedWithoutItsSecret_KeptOnAReplaceWithoutIt()
    {
        var created = await Put("acme-dental", WithField(RouteJson));
        var storedFirst = await Db.ScalarAsync<string>("select sms_route_secret from clients where id = 'acme-dental'");
        var replaced = await Put("acme-dental", WithField("\"sms_route\": { \"url\": \"https://hooks.acme.example/sms2\" }"));
        var storedAfter = await Db.ScalarAsync<string>("select sms_route_secret from clients where id = 'acme-dental'");
        var body = await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative));
        using var read = JsonDocument.Parse(body);

        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(storedFirst, Does.StartWith("dp1:").And.Not.Contain("acme-route-secret"), "encrypted at rest");
            Assert.That(storedAfter, Is.EqualTo(storedFirst), "a replace without the secret keeps it");
            Assert.That(read.RootElement.GetProperty("sms_route").GetProperty("url").GetString(), Is.EqualTo("https://hooks.acme.example/sms2"));
            Assert.That(body, Does.Not.Contain("acme-route-secret"), "write-only");
        });
    }

    [TestCase("\"sms_route\": { \"url\": \"http://hooks.acme.example/sms\", \"secret\": \"acme-route-secret-0123\" }", "sms_route.url")]
    [TestCase("\"sms_route\": { \"url\": \"https://10.0.0.5/sms\", \"secret\": \"acme-route-secret-0123\" }", "sms_route.url")]
    [TestCase("\"sms_route\": { \"url\": \"https://169.254.169.254/latest\", \"secret\": \"acme-route-secret-0123\" }", "sms_route.url")]
    [TestCase("\"sms_route\": { \"url\": \"https://[fd00::1]/sms\", \"secret\": \"acme-route-secret-0123\" }", "sms_route.url")]
    [TestCase("\"sms_route\": { \"url\": \"https://hooks.acme.example/sms\", \"secret\": \"short\" }", "sms_route.secret")]
    [TestCase("\"sms_route\": { \"url\": \"https://hooks.acme.example/sms\" }", "sms_route.secret")]
    public async Task Put_InvalidSmsRoute_422NamesTheField_NothingStored(string field, string name)
    {
        var response = await Put("acme-dental", WithField(field));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(problem.RootElement.GetProperty("errors").TryGetProperty(name, out _), Is.True, problem.RootElement.ToString());
            Assert.That(await ClientCount(), Is.Zero);
        });
    }
}
