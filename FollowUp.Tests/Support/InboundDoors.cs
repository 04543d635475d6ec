using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Signing;
using NodaTime;

namespace FollowUp.Tests.Support;

/// <summary>
/// Every inbound door of the app, each with a valid body and a way to post any body to it signed as its
/// sender signs (our HMAC, Retell's, Twilio's, SendGrid's ECDSA), so a mutated body reaches the parser;
/// and <see cref="WrittenAsync"/>, a fingerprint of everything a door could write.
/// </summary>
public sealed class InboundDoors : IAsyncDisposable
{
    public const string Secret = "whsec_0123456789abcdef";
    public const string VoicePath = "/webhooks/twilio/voice/acme-dental";
    public const string StatusPath = "/webhooks/twilio/status";
    public const string InboundPath = "/webhooks/twilio/inbound";

    private readonly FakeTwilioServer _twilio;
    private readonly ECDsa _sendGridKey;

    private InboundDoors(TestDatabase db, ApiHost api, FakeTwilioServer twilio, ECDsa sendGridKey)
    {
        Db = db;
        Api = api;
        _twilio = twilio;
        _sendGridKey = sendGridKey;
    }

    public TestDatabase Db { get; }

    public ApiHost Api { get; }

    /// <summary>The app with Twilio and SendGrid configured and acme-dental (missed-call text-back on); no job server, so nothing changes between requests.</summary>
    public static async Task<InboundDoors> StartAsync(bool kestrel = false)
    {
        var twilio = await FakeTwilioServer.StartAsync();
        var db = await TestDatabase.CreateAsync();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var settings = TwilioTestAccount.Settings(twilio);
        settings["FollowUp:SendGrid:WebhookPublicKey"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        settings["FollowUp:Engine:RunServer"] = "false";
        var api = ApiHost.Start(db, settings, kestrel: kestrel);
        await TestClients.CreateAsync(api.Services, settings: TestClients.Acme(c => c with { MissedCallTextBack = true }));
        return new InboundDoors(db, api, twilio, key);
    }

    /// <summary>A booked call (POST /webhooks/calls).</summary>
    public static string CallJson(string eventId = "evt_01") => JsonSerializer.Serialize(new
    {
        event_id = eventId, @event = "call_ended", client_id = "acme-dental", call_id = "call_" + eventId,
        occurred_at = "2026-11-22T15:04:05Z", outcome = "booked",
        customer = new { name = "Ana Diaz", phone = "+12125550123", email = "ana@example.com" },
        appointment = new { id = "apt_9", starts_at = InDays(3), service = "Cleaning" },
    });

    /// <summary>Retell's call_analyzed for a booked call.</summary>
    public static string RetellJson(string callId = "retell_call_1") => JsonSerializer.Serialize(new
    {
        @event = "call_analyzed",
        call = new
        {
            call_id = callId, agent_id = "agent_1", call_type = "phone_call", direction = "inbound",
            from_number = "+12125550123", to_number = "+12125550100", call_status = "ended",
            start_timestamp = 1_795_000_000_000L, end_timestamp = 1_795_000_120_000L, disconnection_reason = "user_hangup",
            call_analysis = new
            {
                call_summary = "Booked a cleaning", in_voicemail = false,
                custom_analysis_data = new
                {
                    outcome = "booked", appointment_id = "apt_77", appointment_starts_at = InDays(3), service = "Whitening",
                    customer_name = "Ana Diaz", customer_email = "ana@example.com",
                },
            },
        },
    });

    /// <summary>Twilio Voice: an inbound call nobody answered.</summary>
    public static Dictionary<string, string> VoiceForm(string callSid = "CA11111111111111111111111111111111") => new()
    {
        ["CallSid"] = callSid, ["AccountSid"] = TwilioTestAccount.AccountSid, ["From"] = "+12125550123",
        ["To"] = "+12125550100", ["CallStatus"] = "no-answer", ["Direction"] = "inbound", ["Timestamp"] = "Mon, 30 Nov 2026 07:00:00 +0000",
    };

    /// <summary>Twilio's delivery status for a message it has (unknown here, so parked).</summary>
    public static Dictionary<string, string> StatusForm(string sid = "SM11111111111111111111111111111111") => new()
    {
        ["MessageSid"] = sid, ["SmsSid"] = sid, ["AccountSid"] = TwilioTestAccount.AccountSid, ["MessageStatus"] = "delivered",
        ["SmsStatus"] = "delivered", ["To"] = "+12125550123", ["From"] = "+12125550100", ["ApiVersion"] = "2010-04-01",
        ["NumSegments"] = "1", ["Price"] = "-0.00790", ["PriceUnit"] = "USD",
    };

    /// <summary>A customer's SMS to acme-dental's number.</summary>
    public static Dictionary<string, string> InboundForm(string body = "Thanks!", string sid = "SM22222222222222222222222222222222") => new()
    {
        ["MessageSid"] = sid, ["AccountSid"] = TwilioTestAccount.AccountSid, ["From"] = "+12125550123",
        ["To"] = "+12125550100", ["Body"] = body, ["NumMedia"] = "0",
    };

    /// <summary>SendGrid: a bounce of a message nobody here sent (the address is still suppressed).</summary>
    public static string SendGridJson(string reason = "550 5.1.1 The email account does not exist") => JsonSerializer.Serialize(new[]
    {
        new Dictionary<string, object>
        {
            ["email"] = "ana@example.com", ["event"] = "bounce", ["sg_message_id"] = "abc123.filterdrecv-1.0",
            ["timestamp"] = 1_700_000_000L, ["reason"] = reason, ["type"] = "bounce",
        },
    });

    /// <summary>An ad-hoc SMS (POST /api/messages).</summary>
    public static string MessageJson(string body = "Your cleaning is tomorrow") => JsonSerializer.Serialize(new
    {
        client_id = "acme-dental", channel = "sms", to = "+12125550123", body,
    });

    /// <summary>A client's settings (PUT /api/clients/{id}).</summary>
    public static string ClientJson(string name = "Fuzz Dental") => JsonSerializer.Serialize(new
    {
        name, time_zone = "America/New_York",
        business_hours = new Dictionary<string, string[]> { ["mon"] = ["09:00", "17:00"], ["tue"] = ["09:00", "17:00"] },
        closed_dates = new[] { "2026-12-25" }, webhook_secret = "whsec_fuzz_0123456789", email_enabled = true,
        missed_call_text_back = true, daily_limit_per_recipient = 3, recipient_hours = new[] { "08:00", "21:00" },
        booking_url = "https://fuzz.example/book", sms_from = "+12125550100", email_from = "Fuzz Dental <hello@fuzz.example>",
    });

    public static string InDays(int days) =>
        NodaTime.Text.InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant().Plus(Duration.FromDays(days)));

    /// <summary>POST /webhooks/calls with <paramref name="body"/>'s exact bytes, signed with acme-dental's secret.</summary>
    public Task<HttpResponseMessage> PostCallAsync(byte[] body, bool tamper = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/calls") { Content = Json(body) };
        var signature = CallSignature.Compute(Secret, SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds(), body);
        request.Headers.Add(CallSignature.Header, tamper ? Tampered(signature) : signature);
        return SendAsync(request);
    }

    /// <summary>POST /webhooks/retell/acme-dental, signed as Retell signs (the API key is the client's secret).</summary>
    public Task<HttpResponseMessage> PostRetellAsync(byte[] body, bool tamper = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/retell/acme-dental") { Content = Json(body) };
        var signature = RetellCallEvents.Sign(Secret, SystemClock.Instance.GetCurrentInstant().ToUnixTimeMilliseconds(), body);
        request.Headers.Add(RetellCallEvents.Header, tamper ? Tampered(signature) : signature);
        return SendAsync(request);
    }

    /// <summary>
    /// POSTs <paramref name="rawForm"/> (form-encoded, exactly these bytes) to a Twilio webhook, signed over the
    /// fields it decodes to, as Twilio signs: the mutation reaches the parser.
    /// </summary>
    public Task<HttpResponseMessage> PostTwilioAsync(string path, string rawForm, bool tamper = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(rawForm, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var signature = TwilioSigner.Sign(TwilioTestAccount.AuthToken, TwilioTestAccount.PublicBase + path,
            FollowUp.Jobs.Channels.Sms.TwilioForm.Parse(rawForm));
        request.Headers.Add("X-Twilio-Signature", tamper ? Tampered(signature) : signature);
        return SendAsync(request);
    }

    public Task<HttpResponseMessage> PostTwilioAsync(string path, Dictionary<string, string> form, bool tamper = false) =>
        PostTwilioAsync(path, Encode(form), tamper);

    /// <summary>POST /webhooks/sendgrid/events signed with the test key standing in for SendGrid's.</summary>
    public Task<HttpResponseMessage> PostSendGridAsync(byte[] body, bool tamper = false)
    {
        var ts = SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(_sendGridKey.SignData([.. Encoding.UTF8.GetBytes(ts), .. body], HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid/events") { Content = Json(body) };
        request.Headers.Add(SendGridEventWebhook.SignatureHeader, tamper ? Tampered(signature) : signature);
        request.Headers.Add(SendGridEventWebhook.TimestampHeader, ts);
        return SendAsync(request);
    }

    /// <summary>An /api request with the API key and a JSON body.</summary>
    public Task<HttpResponseMessage> SendApiAsync(HttpMethod method, string path, byte[]? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        return Api.Client.SendAsync(request);
    }

    /// <summary>
    /// Everything a door could write: row counts of the tables the doors insert into, and the fields a
    /// delivery callback or a client PUT changes. Equal before and after a request means it wrote nothing.
    /// </summary>
    public Task<string> WrittenAsync() => Db.ScalarAsync<string>("""
        select concat_ws(',',
            (select count(*) from inbound_webhooks), (select count(*) from calls), (select count(*) from messages),
            (select count(*) from message_events), (select count(*) from inbound_sms), (select count(*) from suppressions),
            (select count(*) from parked_deliveries), (select count(*) from appointment_replies), (select count(*) from notifications),
            (select count(*) from idempotency_keys), (select count(*) from audit_log),
            (select md5(coalesce(string_agg(concat_ws('|', id, status, provider_message_id, error, segments, cost, currency), ';' order by id), ''))
             from messages),
            (select md5(coalesce(string_agg(c::text, ';' order by c.id), '')) from clients c))
        """);

    public static string Encode(IEnumerable<KeyValuePair<string, string>> form) =>
        string.Join('&', form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Db.DisposeAsync();
        await _twilio.DisposeAsync();
        _sendGridKey.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        // The webhooks' senders carry no API key.
        using var anonymous = Api.Factory.CreateClient();
        using (request)
        {
            return await anonymous.SendAsync(request);
        }
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    // The last character changed (a digit in hex and base64 alike): well-formed, no longer the sender's.
    private static string Tampered(string signature) => signature[..^1] + (signature[^1] == '0' ? '1' : '0');
}
