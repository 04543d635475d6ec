using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Sms;

public sealed class TwilioSmsProviderTests
{
    private const string AccountSid = TwilioOptionsTests.AccountSid;
    private const string AuthToken = "f00dfacef00dfacef00dfacef00dface";
    private const string From = "+12125550100";
    private const string To = "+12125550123";

    private FakeTwilioServer _twilio = null!;
    private CapturingLogger _log = null!;
    private ServiceProvider? _services;

    [SetUp]
    public async Task StartFake()
    {
        _twilio = await FakeTwilioServer.StartAsync();
        _log = new CapturingLogger();
    }

    [TearDown]
    public async Task StopFake()
    {
        await _twilio.DisposeAsync();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    private TwilioSmsProvider Provider(Action<TwilioOptions>? configure = null, Uri? baseUrl = null)
    {
        var options = new TwilioOptions
        {
            AccountSid = AccountSid, AuthToken = AuthToken, From = From,
            BaseUrl = (baseUrl ?? _twilio.BaseUrl).ToString(), TimeoutSeconds = 10,
        };
        configure?.Invoke(options);
        // The real composition (named HttpClient, TwilioWire), so BaseUrl and timeouts are what production does.
        var services = new ServiceCollection().AddTwilioSms(new ConfigurationBuilder().Build());
        services.AddSingleton<IOptions<TwilioOptions>>(Options.Create(options));
        services.AddSingleton<ILogger<TwilioSmsProvider>>(_log);
        _services = services.BuildServiceProvider();
        return _services.GetRequiredService<TwilioSmsProvider>();
    }

    private static SmsRequest Request(Uri? callback = null, string? from = null) =>
        new(To, from, "Hi Ana, see you Tue 2:00 PM & bring 100% of your smile", callback);

    private async Task<ProviderSendException> FailsWith(FakeTwilioReply reply, Action<TwilioOptions>? configure = null)
    {
        _twilio.Then(reply);
        var provider = Provider(configure);
        return (await AsyncThrows(() => provider.SendAsync(Request(), CancellationToken.None)))!;
    }

    private static async Task<ProviderSendException?> AsyncThrows(Func<Task> send)
    {
        try
        {
            await send();
        }
        catch (ProviderSendException ex)
        {
            return ex;
        }

        Assert.Fail("expected a ProviderSendException");
        return null;
    }

    [Test]
    public async Task SendAsync_Accepted_PostsExactFormToMessagesResourceWithBasicAuth()
    {
        await Provider().SendAsync(Request(), CancellationToken.None);

        var request = _twilio.Requests.Single();
        var expectedAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Path, Is.EqualTo($"/2010-04-01/Accounts/{AccountSid}/Messages.json"));
            Assert.That(request.Authorization, Is.EqualTo(expectedAuth));
            Assert.That(request.ContentType, Does.StartWith("application/x-www-form-urlencoded"));
            Assert.That(request.RawBody, Is.EqualTo(
                "To=%2B12125550123&From=%2B12125550100&Body=Hi+Ana%2C+see+you+Tue+2%3A00+PM+%26+bring+100%25+of+your+smile"));
            Assert.That(request.Form.Keys, Is.EquivalentTo(new[] { "To", "From", "Body" }));
        });
    }

    [Test]
    public async Task SendAsync_BaseUrlWithTrailingSlash_StillPostsToTheResource()
    {
        await Provider(o => o.BaseUrl = _twilio.BaseUrl + "/").SendAsync(Request(), CancellationToken.None);

        Assert.That(_twilio.Requests.Single().Path, Is.EqualTo($"/2010-04-01/Accounts/{AccountSid}/Messages.json"));
    }

    [Test]
    public async Task SendAsync_Created_ReceiptCarriesSidStatusAndSegments()
    {
        var receipt = await Provider().SendAsync(Request(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(receipt.Provider, Is.EqualTo("twilio"));
            Assert.That(receipt.ProviderMessageId, Does.StartWith("SM").And.Length.EqualTo(34));
            Assert.That(receipt.Status, Is.EqualTo("queued"));
            Assert.That(receipt.Segments, Is.EqualTo(1));
            Assert.That(receipt.Price, Is.Null, "Twilio prices a message after acceptance");
            Assert.That(receipt.PriceCurrency, Is.Null);
        });
    }

    [Test]
    public async Task SendAsync_PricedReply_PriceIsPositiveInvariantDecimal()
    {
        _twilio.Then(FakeTwilioReply.Created(numSegments: "3", price: "-0.02370"));
        var previous = CultureInfo.CurrentCulture;
        // A comma-decimal culture must not change how "-0.02370" is read.
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        ProviderReceipt receipt;
        try
        {
            receipt = await Provider().SendAsync(Request(), CancellationToken.None);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Multiple(() =>
        {
            Assert.That(receipt.Segments, Is.EqualTo(3));
            Assert.That(receipt.Price, Is.EqualTo(0.02370m));
            Assert.That(receipt.PriceCurrency, Is.EqualTo("USD"));
        });
    }

    [Test]
    public async Task SendAsync_StatusCallbackGiven_SendsIt()
    {
        var callback = new Uri("https://followup.example/webhooks/twilio/status?message=42");
        await Provider().SendAsync(Request(callback), CancellationToken.None);

        Assert.That(_twilio.Requests.Single().Form["StatusCallback"].ToString(), Is.EqualTo(callback.AbsoluteUri));
    }

    [Test]
    public async Task SendAsync_NoStatusCallback_OmitsTheField()
    {
        await Provider().SendAsync(Request(), CancellationToken.None);

        Assert.That(_twilio.Requests.Single().Form.ContainsKey("StatusCallback"), Is.False);
    }

    [Test]
    public async Task SendAsync_MessagingServiceConfigured_SendsItInsteadOfFrom()
    {
        var receipt = await Provider(o => o.MessagingServiceSid = TwilioOptionsTests.MessagingServiceSid)
            .SendAsync(Request(), CancellationToken.None);

        var form = _twilio.Requests.Single().Form;
        Assert.Multiple(() =>
        {
            Assert.That(form["MessagingServiceSid"].ToString(), Is.EqualTo(TwilioOptionsTests.MessagingServiceSid));
            Assert.That(form.ContainsKey("From"), Is.False);
            Assert.That(receipt.Status, Is.EqualTo("accepted"));
        });
    }

    [Test]
    public async Task SendAsync_RequestNamesSender_UsesItOverConfiguredSenders()
    {
        await Provider(o => o.MessagingServiceSid = TwilioOptionsTests.MessagingServiceSid)
            .SendAsync(Request(from: "+12125550111"), CancellationToken.None);

        var form = _twilio.Requests.Single().Form;
        Assert.Multiple(() =>
        {
            Assert.That(form["From"].ToString(), Is.EqualTo("+12125550111"));
            Assert.That(form.ContainsKey("MessagingServiceSid"), Is.False);
        });
    }

    [TestCase(21211, "The 'To' number +1212 is not a valid phone number.")]
    [TestCase(21610, "Attempt to send to unsubscribed recipient")]
    [TestCase(21614, "'To' number is not a valid mobile number")]
    [TestCase(21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number")]
    public async Task SendAsync_RecipientError_IsPermanentWithTwilioCode(int code, string message)
    {
        var ex = await FailsWith(FakeTwilioReply.Error(400, code, message));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Permanent));
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.ErrorCode, Is.EqualTo(code.ToString(CultureInfo.InvariantCulture)));
            Assert.That(ex.MayHaveBeenSent, Is.False);
            Assert.That(ex.Provider, Is.EqualTo("twilio"));
            Assert.That(ex.Message, Does.Contain(message));
        });
    }

    [Test]
    public async Task SendAsync_SenderSideError21606_IsTransientSoAnotherProviderCanSend()
    {
        var ex = await FailsWith(FakeTwilioReply.Error(400, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account."));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("21606"));
        });
    }

    [TestCase(401, 20003)]
    [TestCase(403, 20003)]
    public async Task SendAsync_BadCredentials_IsTransient(int status, int code)
    {
        var ex = await FailsWith(FakeTwilioReply.Error(status, code, "Authenticate"));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("20003"));
            Assert.That(ex.MayHaveBeenSent, Is.False);
        });
    }

    [Test]
    public async Task SendAsync_429_IsTransientNotSent()
    {
        var ex = await FailsWith(FakeTwilioReply.TooManyRequests());

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("20429"));
            Assert.That(ex.MayHaveBeenSent, Is.False);
        });
    }

    [Test]
    public async Task SendAsync_Code20429WithStatus400_IsTransient()
    {
        var ex = await FailsWith(FakeTwilioReply.Error(400, 20429, "Too Many Requests"));

        Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
    }

    [Test]
    public async Task SendAsync_500WithHtmlBody_IsTransientAndMayHaveBeenSent()
    {
        var ex = await FailsWith(FakeTwilioReply.ServerError());

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("500"));
            Assert.That(ex.MayHaveBeenSent, Is.True);
        });
    }

    [TestCase("{}")]
    [TestCase("<html>created</html>")]
    public async Task SendAsync_201WithoutASid_IsAcceptedNotRetried(string body)
    {
        // The send happened (2xx); throwing would invite a retry that delivers a second copy.
        _twilio.Then(new FakeTwilioReply { Status = 201, RawBody = body });

        var receipt = await Provider().SendAsync(Request(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(receipt.Provider, Is.EqualTo("twilio"));
            Assert.That(receipt.ProviderMessageId, Is.Empty);
            Assert.That(receipt.Status, Is.EqualTo("accepted"));
        });
    }

    [Test]
    public async Task SendAsync_NoAnswerWithinTimeout_IsTransientAndMayHaveBeenSent()
    {
        var ex = await FailsWith(FakeTwilioReply.Slow(TimeSpan.FromSeconds(30)), o => o.TimeoutSeconds = 1);

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.ErrorCode, Is.EqualTo("timeout"));
            Assert.That(ex.MayHaveBeenSent, Is.True, "the request reached Twilio; only the answer was lost");
            Assert.That(_twilio.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task SendAsync_ConnectionRefused_IsTransientAndNotSent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var provider = Provider(baseUrl: new Uri($"http://127.0.0.1:{port}"));

        var ex = (await AsyncThrows(() => provider.SendAsync(Request(), CancellationToken.None)))!;

        Assert.Multiple(() =>
        {
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(ex.MayHaveBeenSent, Is.False, "nothing was written to a refused connection");
        });
    }

    [Test]
    public void SendAsync_CallerCancels_ThrowsOperationCanceledNotAProviderFailure()
    {
        _twilio.Then(FakeTwilioReply.Slow(TimeSpan.FromSeconds(30)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var provider = Provider();

        Assert.That(async () => await provider.SendAsync(Request(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task SendAsync_NotConfigured_ThrowsTransientWithoutCallingTwilio()
    {
        var provider = Provider(o => o.AuthToken = null);

        var ex = (await AsyncThrows(() => provider.SendAsync(Request(), CancellationToken.None)))!;

        Assert.Multiple(() =>
        {
            Assert.That(provider.IsConfigured, Is.False);
            Assert.That(ex.Kind, Is.EqualTo(SendFailureKind.Transient));
            Assert.That(_twilio.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task SendAsync_Failures_NeverLogOrReportTheAuthToken()
    {
        _twilio.Then(FakeTwilioReply.Error(401, 20003, "Authenticate"));
        var ex401 = (await AsyncThrows(() => Provider().SendAsync(Request(), CancellationToken.None)))!;
        var ex500 = await FailsWith(FakeTwilioReply.ServerError());
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));

        var everything = string.Join("\n", _log.Lines.Append(ex401.ToString()).Append(ex500.ToString()));
        Assert.Multiple(() =>
        {
            Assert.That(_log.Lines, Is.Not.Empty, "failures are logged");
            Assert.That(everything, Does.Not.Contain(AuthToken));
            Assert.That(everything, Does.Not.Contain(basic));
        });
    }

    private sealed class CapturingLogger : ILogger<TwilioSmsProvider>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception) + exception);
            }
        }
    }
}
