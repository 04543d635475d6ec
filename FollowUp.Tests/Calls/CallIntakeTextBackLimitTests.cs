using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Signing;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using NodaTime.Testing;

namespace FollowUp.Tests.Calls;

/// <summary>Toll fraud (issue #17 §4): at most text_back_hourly_limit missed-call text-backs in any 60 minutes, on a fake clock.</summary>
public sealed class CallIntakeTextBackLimitTests : ApiTest
{
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 23, 15, 0));
    protected override Dictionary<string, string?> Settings => new() { ["FollowUp:Engine:RunServer"] = "false" };

    protected override bool CreatesTestClients => false;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<IClock>(_clock));

    [SetUp]
    public Task CreateClientAsync() =>
        TestClients.CreateAsync(Api.Services, settings: TestClients.Acme(c => c with { MissedCallTextBack = true, TextBackHourlyLimit = 2 }));

    private async Task<(string Status, string? Reason)> MissedCallFrom(string phone)
    {
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            event_id = "evt_" + phone, @event = "call_ended", client_id = "acme-dental", call_id = "call_" + phone,
            occurred_at = NodaTime.Text.InstantPattern.ExtendedIso.Format(_clock.GetCurrentInstant()), outcome = "no_answer",
            customer = new { phone },
        }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/calls") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(CallSignature.Header, CallSignature.Compute(InboundDoors.Secret, _clock.GetCurrentInstant().ToUnixTimeSeconds(), body));
        using var response = await Api.Client.SendAsync(request);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), reply.ToString());
        var sms = reply.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("channel").GetString() == "sms");
        return (sms.GetProperty("status").GetString()!, sms.TryGetProperty("skip_reason", out var r) ? r.GetString() : null);
    }

    [Test]
    public async Task MissedCalls_ThirdInTheHourSkipped_AllowedAgainAnHourLater()
    {
        var first = await MissedCallFrom("+12125550101");
        _clock.AdvanceMinutes(10);
        var second = await MissedCallFrom("+12125550102");
        _clock.AdvanceMinutes(10);
        var third = await MissedCallFrom("+12125550103");
        _clock.AdvanceMinutes(41); // 61 minutes after the first: it has left the window
        var fourth = await MissedCallFrom("+12125550104");
        var fifth = await MissedCallFrom("+12125550105"); // the second is still in the window

        var stored = await Db.ScalarAsync<string>("select skip_reason from messages where recipient = '+12125550103' and channel = 'sms'");
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo((MessageStatus.Scheduled, (string?)null)));
            Assert.That(second, Is.EqualTo((MessageStatus.Scheduled, (string?)null)));
            Assert.That(third, Is.EqualTo((MessageStatus.Skipped, (string?)SkipReasons.TextBackHourlyLimit)));
            Assert.That(fourth, Is.EqualTo((MessageStatus.Scheduled, (string?)null)));
            Assert.That(fifth, Is.EqualTo((MessageStatus.Skipped, (string?)SkipReasons.TextBackHourlyLimit)));
            Assert.That(stored, Is.EqualTo(SkipReasons.TextBackHourlyLimit));
        });
    }
}
