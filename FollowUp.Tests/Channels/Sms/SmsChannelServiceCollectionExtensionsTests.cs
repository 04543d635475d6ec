using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Sms;

public sealed class SmsChannelServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddTwilioSms(configuration).BuildServiceProvider();
    }

    private static Dictionary<string, string?> Settings(Uri baseUrl) => new()
    {
        ["FollowUp:Twilio:AccountSid"] = TwilioOptionsTests.AccountSid,
        ["FollowUp:Twilio:AuthToken"] = "token",
        ["FollowUp:Twilio:From"] = "+12125550100",
        ["FollowUp:Twilio:BaseUrl"] = baseUrl.ToString(),
    };

    [Test]
    public async Task AddTwilioSms_Configured_ResolvesTwilioAsSingletonSmsProviderThatSends()
    {
        await using var twilio = await FakeTwilioServer.StartAsync();
        await using var services = Build(Settings(twilio.BaseUrl));

        var provider = services.GetServices<ISmsProvider>().Single();
        var receipt = await provider.SendAsync(new SmsRequest("+12125550123", null, "Hello", null), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(provider.Name, Is.EqualTo("twilio"));
            Assert.That(provider.IsConfigured, Is.True);
            Assert.That(services.GetRequiredService<ISmsProvider>(), Is.SameAs(provider));
            Assert.That(receipt.ProviderMessageId, Does.StartWith("SM"));
            Assert.That(twilio.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task AddTwilioSms_FromWithPunctuation_IsSentAsE164()
    {
        await using var twilio = await FakeTwilioServer.StartAsync();
        var settings = Settings(twilio.BaseUrl);
        settings["FollowUp:Twilio:From"] = "+1 (212) 555-0100";
        await using var services = Build(settings);

        await services.GetRequiredService<ISmsProvider>().SendAsync(new SmsRequest("+12125550123", null, "Hello", null), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(services.GetRequiredService<IOptions<TwilioOptions>>().Value.From, Is.EqualTo("+12125550100"));
            Assert.That(twilio.Requests.Single().Form["From"].ToString(), Is.EqualTo("+12125550100"));
        });
    }

    [Test]
    public async Task AddTwilioSms_TimeoutSeconds_AppliesToTheTypedClient()
    {
        await using var twilio = await FakeTwilioServer.StartAsync();
        twilio.Then(FakeTwilioReply.Slow(TimeSpan.FromSeconds(30)));
        var settings = Settings(twilio.BaseUrl);
        settings["FollowUp:Twilio:TimeoutSeconds"] = "1";
        await using var services = Build(settings);

        var provider = services.GetRequiredService<ISmsProvider>();
        var ex = Assert.ThrowsAsync<ProviderSendException>(() =>
            provider.SendAsync(new SmsRequest("+12125550123", null, "Hello", null), CancellationToken.None));

        Assert.That(ex!.ErrorCode, Is.EqualTo("timeout"));
    }

    [Test]
    public async Task AddTwilioSms_NoSettings_RegistersAnUnconfiguredProviderAndStartsCleanly()
    {
        await using var services = Build([]);

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.That(services.GetRequiredService<ISmsProvider>().IsConfigured, Is.False);
    }

    [Test]
    public async Task AddTwilioSms_InvalidBaseUrl_StartUpValidationNamesTheKey()
    {
        var settings = Settings(new Uri("http://unused"));
        settings["FollowUp:Twilio:BaseUrl"] = "api.twilio.com";
        await using var services = Build(settings);

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain("FollowUp:Twilio:BaseUrl must be an absolute http(s) URL"));
    }
}
