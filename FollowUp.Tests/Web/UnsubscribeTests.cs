using FollowUp.Jobs.Channels;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Channels.Email;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace FollowUp.Tests.Web;

/// <summary>
/// One-click unsubscribe (RFC 8058) from the mail to the suppression: the headers as a real SMTP listener
/// and the SendGrid fake receive them, the link's GET and POST on the whole app, and the next send.
/// </summary>
public sealed class UnsubscribeTests : ApiTest
{
    private const string PublicBaseUrl = "https://followup.example";

    private SmtpTestServer _smtp = null!;
    private FakeSendGridServer _sendGrid = null!;

    protected override bool StartsApiInSetUp => false;

    // The client's name differs by test: StartAsync creates it.
    protected override bool CreatesTestClients => false;

    private IMessageClient Messages => Api.Services.GetRequiredService<IMessageClient>();

    private async Task StartAsync(bool viaSendGrid = false, string clientName = "Acme Dental", IClock? clock = null)
    {
        _smtp = SmtpTestServer.Start();
        _sendGrid = await FakeSendGridServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["FollowUp:PublicBaseUrl"] = PublicBaseUrl };
        if (viaSendGrid)
        {
            settings["FollowUp:SendGrid:ApiKey"] = "SG.test-key";
            settings["FollowUp:SendGrid:From"] = "noreply@followup.example";
            settings["FollowUp:SendGrid:BaseUrl"] = _sendGrid.BaseUrl;
        }
        else
        {
            settings["FollowUp:Smtp:Host"] = "127.0.0.1";
            settings["FollowUp:Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture);
            settings["FollowUp:Smtp:EnableSsl"] = "false";
            settings["FollowUp:Smtp:From"] = "noreply@followup.example";
        }

        await StartApiAsync(settings, clock is null ? null : s => s.AddSingleton(clock));
        await TestClients.CreateAsync(Api.Services, settings: TestClients.Acme(c => c with { Name = clientName }));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _sendGrid.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    /// <summary>Plans an email of <paramref name="kind"/> due now, dispatches it, and waits until it is sent or skipped.</summary>
    private async Task<MessageInfo> SendAsync(string kind, string to = "ana@example.com")
    {
        long id;
        await using (var connection = await Db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            id = await Messages.PlanAsync(new NewMessage("acme-dental", kind, Channel.Email, to, "Hello", "Hi Ana",
                SystemClock.Instance.GetCurrentInstant()) { CustomerPhone = "+12125550123" }, tx);
            await tx.CommitAsync();
        }

        await Messages.DispatchAsync(new PlannedMessages([id], [id]));
        return await Eventually.WaitForAsync(async () => (await Messages.FindAsync(id))!,
            m => m.Status is MessageStatus.Sent or MessageStatus.Skipped, TimeSpan.FromSeconds(30), $"message {id} sent or skipped");
    }

    private static string LinkPath(string? header)
    {
        Assert.That(header, Does.StartWith("<" + PublicBaseUrl + UnsubscribeLinks.PathPrefix).And.EndWith(">"));
        return new Uri(header![1..^1]).AbsolutePath;
    }

    private async Task<string> MarketingLinkPathAsync()
    {
        await SendAsync(MessageKind.NurtureDay1);
        return LinkPath(MimeText.Header(_smtp.Received.Single().Data, "List-Unsubscribe"));
    }

    /// <summary>As a mailbox provider sends it: no cookie, no API key, the RFC 8058 body.</summary>
    private async Task<HttpResponseMessage> PostAsync(string path, string? accept = null)
    {
        using var client = Api.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]),
        };
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        return await client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var client = Api.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return await client.SendAsync(request);
    }

    private Task<long> SuppressionCountAsync() => Db.ScalarAsync<long>("select count(*) from suppressions");

    [Test]
    public async Task MarketingEmail_ThroughSmtp_CarriesTheOneClickLink_TransactionalCarriesNone()
    {
        await StartAsync();

        await SendAsync(MessageKind.NurtureDay1);
        await SendAsync(MessageKind.Confirmation);

        // One after the other: each was sent before the next was planned.
        var mails = _smtp.Received;
        var marketing = mails[0].Data;
        var confirmation = mails[^1].Data;
        Assert.Multiple(() =>
        {
            Assert.That(mails, Has.Count.EqualTo(2));
            Assert.That(LinkPath(MimeText.Header(marketing, "List-Unsubscribe")), Does.StartWith("/unsubscribe/"));
            Assert.That(MimeText.Header(marketing, "List-Unsubscribe-Post"), Is.EqualTo("List-Unsubscribe=One-Click"));
            Assert.That(MimeText.Header(confirmation, "List-Unsubscribe"), Is.Null);
            Assert.That(MimeText.Header(confirmation, "List-Unsubscribe-Post"), Is.Null);
        });
    }

    [Test]
    public async Task MarketingEmail_ThroughSendGrid_CarriesTheOneClickLink_TransactionalCarriesNone()
    {
        await StartAsync(viaSendGrid: true);

        await SendAsync(MessageKind.MissedCall);
        await SendAsync(MessageKind.Reminder24h);

        var requests = _sendGrid.Requests;
        var marketing = JsonNode.Parse(requests[0].Body)!["headers"];
        var reminder = JsonNode.Parse(requests[1].Body)!["headers"];
        Assert.Multiple(() =>
        {
            Assert.That(requests, Has.Count.EqualTo(2));
            Assert.That(LinkPath(marketing?["List-Unsubscribe"]?.GetValue<string>()), Does.StartWith("/unsubscribe/"));
            Assert.That(marketing?["List-Unsubscribe-Post"]?.GetValue<string>(), Is.EqualTo("List-Unsubscribe=One-Click"));
            Assert.That(reminder, Is.Null, "a reminder is transactional");
        });
    }

    [Test]
    public async Task Post_TheLinkFromTheMail_200AndSuppresses_SoTheNextMarketingEmailIsSkipped()
    {
        await StartAsync();
        var path = await MarketingLinkPathAsync();

        var response = await PostAsync(path);
        var again = await PostAsync(path);
        var next = await SendAsync(MessageKind.NurtureDay4);

        var rows = await Db.ScalarAsync<string>(
            "select string_agg(client_id || ' ' || channel || ' ' || address || ' ' || reason, ';') from suppressions where lifted_at is null");
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.Empty, "RFC 8058: the provider wants a 200, not a page");
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a repeated POST changes nothing and still succeeds");
            Assert.That(rows, Is.EqualTo("acme-dental email ana@example.com unsubscribe link"));
            Assert.That(next.Status, Is.EqualTo(MessageStatus.Skipped));
            Assert.That(next.SkipReason, Is.EqualTo("opted out"));
            Assert.That(_smtp.Received, Has.Count.EqualTo(1), "nothing more reached the recipient");
        });
    }

    [Test]
    public async Task Post_FromTheBrowserPagesButton_AnswersWithAPage()
    {
        await StartAsync();
        var path = await MarketingLinkPathAsync();

        var response = await PostAsync(path, accept: "text/html");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Unsubscribed"));
            Assert.That(await SuppressionCountAsync(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Get_ShowsAFormThatPostsTheLink_OutputEncoded_AndSuppressesNothing()
    {
        await StartAsync(clientName: "Acme <script>alert(1)</script> & Co");
        var path = await MarketingLinkPathAsync();

        var response = await GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("<form method=\"post\">"), "the button POSTs back to the link itself");
            Assert.That(html, Does.Contain("name=\"List-Unsubscribe\" value=\"One-Click\""));
            Assert.That(html, Does.Contain("ana@example.com"));
            Assert.That(html, Does.Contain("Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
            Assert.That(html, Does.Not.Contain("<script>"));
            Assert.That(response.Headers.GetValues("Referrer-Policy"), Is.EqualTo(new[] { "no-referrer" }), "the link must not leak to other sites");
            Assert.That(await SuppressionCountAsync(), Is.Zero, "a GET (a mail scanner, a preview) never unsubscribes");
        });
    }

    [Test]
    public async Task Post_TamperedToken_400ProblemNamingTheToken_NothingWritten()
    {
        await StartAsync();
        var path = await MarketingLinkPathAsync();
        // A character in the middle (the last one may carry only padding bits).
        var middle = path.Length / 2;
        var tampered = path[..middle] + (path[middle] == 'A' ? 'B' : 'A') + path[(middle + 1)..];

        var response = await PostAsync(tampered);
        var page = await PostAsync(tampered, accept: "text/html");
        var get = await GetAsync(tampered);

        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem["status"]?.GetValue<int>(), Is.EqualTo(400));
            Assert.That(problem["title"]?.GetValue<string>(), Is.EqualTo("Invalid unsubscribe link"));
            Assert.That(problem["errors"]?["token"]?[0]?.GetValue<string>(), Does.Contain("not one FollowUp made"));
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("This link is not valid"));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await SuppressionCountAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task Post_ExpiredToken_410ProblemSayingWhen_NothingWritten()
    {
        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        await StartAsync(clock: clock);
        var token = Api.Services.GetRequiredService<UnsubscribeLinks>().Mint("acme-dental", "ana@example.com");
        var path = UnsubscribeLinks.PathPrefix + token;
        var expiresAt = clock.GetCurrentInstant() + Duration.FromDays(new UnsubscribeOptions().LinkLifetimeDays);
        clock.Reset(expiresAt + Duration.FromSeconds(1));

        var response = await PostAsync(path);
        var get = await GetAsync(path);

        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem["title"]?.GetValue<string>(), Is.EqualTo("Unsubscribe link expired"));
            Assert.That(problem["errors"]?["token"]?[0]?.GetValue<string>(),
                Is.EqualTo($"The link expired at {NodaTime.Text.InstantPattern.General.Format(expiresAt)}."));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(await get.Content.ReadAsStringAsync(), Does.Contain("This link has expired"));
            Assert.That(await SuppressionCountAsync(), Is.Zero);
        });
    }
}
