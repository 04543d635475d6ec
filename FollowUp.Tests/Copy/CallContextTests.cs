using System.Net;
using System.Text.Json;
using FollowUp.Jobs.Calls;
using FollowUp.Tests.Support;
using FollowUp.Tests.Web;

namespace FollowUp.Tests.Copy;

/// <summary>A call's summary, intent and notes: taken in (ours and Retell's), limited with a 422 naming the field, stored and read back.</summary>
public sealed class CallContextTests : ApiTest
{
    private static string WithContext(string json, object context)
    {
        var call = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
        foreach (var (key, value) in JsonSerializer.SerializeToElement(context).EnumerateObject().Select(p => (p.Name, p.Value)))
        {
            call[key] = value;
        }

        return JsonSerializer.Serialize(call);
    }

    [Test]
    public async Task Post_WithSummaryIntentNotes_StoredWithTheCall_AndGetCallShowsThem()
    {
        var json = WithContext(CallWebhookTests.Booked(), new
        {
            summary = "Ana called about a cracked crown <b>and</b> booked a cleaning.", intent = "book a cleaning", notes = "prefers mornings",
        });

        var response = await Api.Client.SendAsync(CallWebhookTests.Signed(json));
        using var view = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/calls/call_123", UriKind.Relative)));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(view.RootElement.GetProperty("summary").GetString(), Is.EqualTo("Ana called about a cracked crown <b>and</b> booked a cleaning."));
            Assert.That(view.RootElement.GetProperty("intent").GetString(), Is.EqualTo("book a cleaning"));
            Assert.That(view.RootElement.GetProperty("notes").GetString(), Is.EqualTo("prefers mornings"));
        });
    }

    [TestCase("summary", 2001)]
    [TestCase("intent", 201)]
    [TestCase("notes", 1001)]
    public async Task Post_ContextTooLong_422NamesTheField_NothingWritten(string field, int length)
    {
        var json = WithContext(CallWebhookTests.Booked(), new Dictionary<string, string> { [field] = new string('x', length) });

        var response = await Api.Client.SendAsync(CallWebhookTests.Signed(json));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from inbound_webhooks"), Is.Zero);
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.Zero);
        });
    }

    [Test]
    public void RetellMap_CallSummaryAndCustomAnalysis_BecomeSummaryIntentNotes_ALongSummaryCut()
    {
        var body = JsonSerializer.Serialize(new
        {
            @event = "call_analyzed",
            call = new
            {
                call_id = "r1", direction = "inbound", from_number = "+12125550123", end_timestamp = 1_795_000_120_000L,
                call_analysis = new
                {
                    call_summary = new string('s', 2500),
                    custom_analysis_data = new { outcome = "not_booked", intent = "price of whitening", notes = "call back after 5" },
                },
            },
        });

        var call = RetellCallEvents.Map("acme-dental", body)!;

        Assert.Multiple(() =>
        {
            Assert.That(call.Summary, Is.EqualTo(new string('s', CallEventValidator.MaxSummaryLength)));
            Assert.That(call.Intent, Is.EqualTo("price of whitening"));
            Assert.That(call.Notes, Is.EqualTo("call back after 5"));
            Assert.That(new CallEventValidator().Validate(call).IsValid, Is.True);
        });
    }
}
