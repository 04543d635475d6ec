using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Web;

/// <summary>
/// Input no door can use (a NUL, a lone surrogate, a Retell time that is no number, a body Kestrel cannot
/// read, a body that is not JSON) is a 400/415 problem document naming the field, and nothing is written:
/// the inputs issue #17 §5's fuzz found answered with a 500 (or an empty 415).
/// </summary>
public sealed class WireTextTests
{
    private InboundDoors _doors = null!;

    [SetUp]
    public async Task SetUp() => _doors = await InboundDoors.StartAsync();

    [TearDown]
    public async Task TearDown() => await _doors.DisposeAsync();

    private static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    // The value's JSON text in place of a quoted value that occurs once in the body.
    private static byte[] With(string json, string quoted, string replacement)
    {
        Assert.That(json.Split(quoted).Length, Is.EqualTo(2), $"{quoted} once in {json}");
        return Bytes(json.Replace(quoted, replacement, StringComparison.Ordinal));
    }

    /// <summary>Asserts a 400 problem whose <c>errors</c> name exactly <paramref name="field"/>, and that nothing was written.</summary>
    private async Task AssertRefused(Func<Task<HttpResponseMessage>> post, string field, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var before = await _doors.WrittenAsync();
        using var response = await post();
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
            Assert.That(await _doors.WrittenAsync(), Is.EqualTo(before), "nothing written");
        });
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }), text);
    }

    [TestCase("\"evt_01\"", "event_id")]
    [TestCase("\"call_evt_01\"", "call_id")]
    [TestCase("\"apt_9\"", "appointment.id")]
    public Task CallWebhook_Nul_400NamingTheField_NothingJournaled(string value, string field) =>
        AssertRefused(() => _doors.PostCallAsync(With(InboundDoors.CallJson(), value, value.Insert(2, "\\u0000"))), field);

    // Year 1 less a day, or year 9999 plus four, is past what the plan's calendar arithmetic holds: it was journaled, then failed (500).
    [TestCase("appointment.starts_at", "booked", "0001-01-01T00:00:00Z")]
    [TestCase("occurred_at", "not_booked", "9999-12-31T23:59:59+14:00")]
    public async Task CallWebhook_TimeOutsideTheCalendarsRange_422NamingIt_NothingJournaled(string field, string outcome, string time)
    {
        var call = System.Text.Json.Nodes.JsonNode.Parse(InboundDoors.CallJson())!;
        call["outcome"] = outcome;
        if (field == "occurred_at")
        {
            call["occurred_at"] = time;
        }
        else
        {
            call["appointment"]!["starts_at"] = time;
        }

        await AssertRefused(() => _doors.PostCallAsync(Bytes(call.ToJsonString())), field, HttpStatusCode.UnprocessableEntity);
    }

    [Test]
    public Task CallWebhook_LoneSurrogate_400NamingTheField() =>
        AssertRefused(() => _doors.PostCallAsync(With(InboundDoors.CallJson(), "\"Ana Diaz\"", "\"Ana \\ud800\"")), "customer.name");

    [Test]
    public Task Retell_Nul_400NamingTheField() =>
        AssertRefused(() => _doors.PostRetellAsync(With(InboundDoors.RetellJson(), "\"retell_call_1\"", "\"retell\\u0000\"")), "call.call_id");

    [Test]
    public Task Retell_LoneSurrogate_400NamingTheField() =>
        AssertRefused(() => _doors.PostRetellAsync(With(InboundDoors.RetellJson(), "\"Ana Diaz\"", "\"\\ud800\"")),
            "call.call_analysis.custom_analysis_data.customer_name");

    [TestCase("true")]
    [TestCase("\"1795000120000\"")]
    [TestCase("1.5")]
    [TestCase("99999999999999999")]
    public Task Retell_EndTimestampNotMilliseconds_400NamingTheField(string value) =>
        AssertRefused(() => _doors.PostRetellAsync(With(InboundDoors.RetellJson(), "1795000120000", value)), "call.end_timestamp");

    [Test]
    public Task TwilioVoice_NulInFrom_400NamingTheField()
    {
        var form = InboundDoors.VoiceForm();
        form["From"] = "+1212555\u00000123";
        return AssertRefused(() => _doors.PostTwilioAsync(InboundDoors.VoicePath, form), "From");
    }

    [TestCase("From")]
    [TestCase("PriceUnit")]
    public Task TwilioStatus_Nul_400NamingTheField(string field)
    {
        var form = InboundDoors.StatusForm();
        form[field] += "\0";
        return AssertRefused(() => _doors.PostTwilioAsync(InboundDoors.StatusPath, form), field);
    }

    [Test]
    public Task TwilioStatus_PriceNoColumnHolds_400NamingIt()
    {
        var form = InboundDoors.StatusForm();
        form["Price"] = "-99999999999.5";
        return AssertRefused(() => _doors.PostTwilioAsync(InboundDoors.StatusPath, form), "Price");
    }

    [TestCase("From")]
    [TestCase("Body")]
    public Task TwilioInbound_Nul_400NamingTheField(string field)
    {
        var form = InboundDoors.InboundForm();
        form[field] = "\0" + form[field];
        return AssertRefused(() => _doors.PostTwilioAsync(InboundDoors.InboundPath, form), field);
    }

    [TestCase("\\u0000")]
    [TestCase("\\ud800")]
    [TestCase("\\udc00x")]
    public Task SendGrid_ReasonNotText_400NamingTheField_NoSuppression(string escape) =>
        AssertRefused(() => _doors.PostSendGridAsync(Bytes(InboundDoors.SendGridJson("550 " + "\u0001").Replace("\\u0001", escape, StringComparison.Ordinal))),
            "[0].reason");

    [TestCase("\\u0000")]
    [TestCase("\\ud800")]
    public Task ApiMessages_BodyNotText_400NamingTheField(string escape) =>
        AssertRefused(() => _doors.SendApiAsync(HttpMethod.Post, "/api/messages",
            With(InboundDoors.MessageJson(), "\"Your cleaning is tomorrow\"", $"\"Your {escape} cleaning\"")), "body");

    [Test]
    public Task ApiClients_NulInName_400NamingTheField() =>
        AssertRefused(() => _doors.SendApiAsync(HttpMethod.Put, "/api/clients/fuzz-dental",
            With(InboundDoors.ClientJson(), "\"Fuzz Dental\"", "\"Fuzz\\u0000Dental\"")), "name");

    [Test]
    public Task ApiMessageList_NulInQuery_400NamingTheParameter() =>
        AssertRefused(() => _doors.SendApiAsync(HttpMethod.Get, "/api/messages?client_id=acme-dental&q=ana%00", null), "q");

    [TestCase("/webhooks/calls")]
    [TestCase("/api/messages")]
    public async Task NotJson_415IsAProblemDocument(string path)
    {
        var before = await _doors.WrittenAsync();
        using var response = await _doors.Api.Client.PostAsync(new Uri(path, UriKind.Relative),
            new StringContent(InboundDoors.MessageJson(), Encoding.UTF8, "text/plain"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
            Assert.That(text, Does.Contain("\"status\":415").And.Contain("text/plain"));
            Assert.That(await _doors.WrittenAsync(), Is.EqualTo(before));
        });
    }

    [TestCase("/webhooks/calls", false)]
    [TestCase("/api/messages", true)]
    [TestCase("/webhooks/twilio/inbound", false)]
    public async Task MalformedChunkedBody_Kestrels400AsAProblemDocument_NothingWritten(string path, bool apiKey)
    {
        await using var doors = await InboundDoors.StartAsync(kestrel: true);
        var before = await doors.WrittenAsync();
        var address = doors.Api.Address;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        // A chunk size that is no hexadecimal number, after a well-formed first chunk.
        var request = $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\n"
            + (path.Contains("twilio", StringComparison.Ordinal) ? "Content-Type: application/x-www-form-urlencoded\r\n" : "Content-Type: application/json\r\n")
            + (apiKey ? $"Authorization: Bearer {ApiHost.ApiKey}\r\n" : "")
            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{\"\r\nzz\r\nbroken\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(response, Does.StartWith("HTTP/1.1 400"), response);
            Assert.That(response, Does.Contain("application/problem+json").And.Contain("\"status\":400"), response);
            Assert.That(await doors.WrittenAsync(), Is.EqualTo(before));
        });
    }
}
