using FollowUp.Jobs.Channels.Sms;
using Microsoft.Extensions.Configuration;

namespace FollowUp.Tests.Channels.Sms;

public sealed class TwilioOptionsTests
{
    internal const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    internal const string MessagingServiceSid = "MG0123456789abcdef0123456789abcdef";

    private static TwilioOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new TwilioOptions();
        configuration.GetSection(TwilioOptions.Section).Bind(options);
        return options;
    }

    private static IReadOnlyList<string> Errors(TwilioOptions options) =>
        [.. new TwilioOptions.Validator().Validate(null, options).Failures ?? []];

    [Test]
    public void Bind_EmptySection_HasDocumentedDefaultsAndIsValidButNotConfigured()
    {
        var options = Bind([]);
        Assert.Multiple(() =>
        {
            Assert.That(options.BaseUrl, Is.EqualTo("https://api.twilio.com"));
            Assert.That(options.RateLimitPerSecond, Is.Zero);
            Assert.That(options.TimeoutSeconds, Is.EqualTo(10));
            Assert.That(options.IsConfigured, Is.False);
            Assert.That(Errors(options), Is.Empty);
        });
    }

    [Test]
    public void Bind_FullSection_ReadsEveryKey()
    {
        var options = Bind(new()
        {
            ["FollowUp:Twilio:AccountSid"] = AccountSid,
            ["FollowUp:Twilio:AuthToken"] = "token",
            ["FollowUp:Twilio:From"] = "+12125550100",
            ["FollowUp:Twilio:MessagingServiceSid"] = MessagingServiceSid,
            ["FollowUp:Twilio:BaseUrl"] = "http://127.0.0.1:5000",
            ["FollowUp:Twilio:RateLimitPerSecond"] = "5",
            ["FollowUp:Twilio:TimeoutSeconds"] = "3",
        });
        Assert.Multiple(() =>
        {
            Assert.That(options.AccountSid, Is.EqualTo(AccountSid));
            Assert.That(options.AuthToken, Is.EqualTo("token"));
            Assert.That(options.From, Is.EqualTo("+12125550100"));
            Assert.That(options.MessagingServiceSid, Is.EqualTo(MessagingServiceSid));
            Assert.That(options.BaseUrl, Is.EqualTo("http://127.0.0.1:5000"));
            Assert.That(options.RateLimitPerSecond, Is.EqualTo(5));
            Assert.That(options.TimeoutSeconds, Is.EqualTo(3));
            Assert.That(options.IsConfigured, Is.True);
            Assert.That(Errors(options), Is.Empty);
        });
    }

    [TestCase("+1 555 765 4321", "FollowUp:Twilio:From is not a valid number for region US (was '+1 555 765 4321').")]
    [TestCase("2125550100", "FollowUp:Twilio:From must start with + and the country code, such as +12125550123 (was '2125550100').")]
    [TestCase("+05557654321", "FollowUp:Twilio:From does not start with a known country code after the + (was '+05557654321').")]
    public void Validate_FromNotAValidNumber_NamesTheKeyAndWhy(string from, string error)
    {
        var options = new TwilioOptions { AccountSid = AccountSid, AuthToken = "t", From = from };
        Assert.That(Errors(options), Is.EqualTo(new[] { error }));
    }

    [Test]
    public void IsConfigured_MessagingServiceWithoutFrom_IsTrue()
    {
        var options = new TwilioOptions { AccountSid = AccountSid, AuthToken = "t", MessagingServiceSid = MessagingServiceSid };
        Assert.That(options.IsConfigured, Is.True);
    }

    [Test]
    public void IsConfigured_NoSender_IsFalse()
    {
        var options = new TwilioOptions { AccountSid = AccountSid, AuthToken = "t" };
        Assert.That(options.IsConfigured, Is.False);
    }

    [TestCase("api.twilio.com")]
    [TestCase("ftp://api.twilio.com")]
    [TestCase("/relative")]
    [TestCase("")]
    public void Validate_BadBaseUrl_NamesTheKey(string baseUrl)
    {
        Assert.That(Errors(new TwilioOptions { BaseUrl = baseUrl }),
            Has.One.StartsWith("FollowUp:Twilio:BaseUrl must be an absolute http(s) URL"));
    }

    [TestCase(0)]
    [TestCase(301)]
    public void Validate_TimeoutOutOfRange_NamesTheKey(int seconds)
    {
        Assert.That(Errors(new TwilioOptions { TimeoutSeconds = seconds }), Has.One.StartsWith("FollowUp:Twilio:TimeoutSeconds"));
    }

    [Test]
    public void Validate_NegativeRateLimit_NamesTheKey()
    {
        Assert.That(Errors(new TwilioOptions { RateLimitPerSecond = -1 }), Has.One.StartsWith("FollowUp:Twilio:RateLimitPerSecond"));
    }

    [Test]
    public void Validate_MalformedSids_NameTheirKeysWithoutEchoingValues()
    {
        var options = new TwilioOptions { AccountSid = "secret-looking-value", AuthToken = "t", MessagingServiceSid = "MGshort" };
        var errors = Errors(options);
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.One.StartsWith("FollowUp:Twilio:AccountSid must be"));
            Assert.That(errors, Has.One.StartsWith("FollowUp:Twilio:MessagingServiceSid must be"));
            Assert.That(string.Join("\n", errors), Does.Not.Contain("secret-looking-value"));
        });
    }

    [Test]
    public void Validate_PartialCredentials_NamesEachMissingKey()
    {
        var errors = Errors(new TwilioOptions { AccountSid = AccountSid });
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.One.StartsWith("FollowUp:Twilio:AuthToken is required"));
            Assert.That(errors, Has.One.StartsWith("FollowUp:Twilio:From or FollowUp:Twilio:MessagingServiceSid is required"));
            Assert.That(errors, Has.None.StartsWith("FollowUp:Twilio:AccountSid"));
        });
    }

    [Test]
    public void Validate_TokenAloneSet_NeverEchoesTheToken()
    {
        var errors = Errors(new TwilioOptions { AuthToken = "super-secret-token" });
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.One.StartsWith("FollowUp:Twilio:AccountSid is required"));
            Assert.That(string.Join("\n", errors), Does.Not.Contain("super-secret-token"));
        });
    }
}
