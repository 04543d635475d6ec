using FollowUp.Jobs.Channels.Sms;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Sms;

/// <summary><c>FollowUp:Sms:Providers</c> checked at start-up, through the SMS channel's real composition.</summary>
public sealed class SmsProviderOrderValidatorTests
{
    private static void Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<NodaTime.IClock>(NodaTime.SystemClock.Instance);
        services.AddOptions<FollowUp.Jobs.Channels.PublicUrlOptions>();
        using var provider = services.AddSmsChannel(configuration).BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    private static Dictionary<string, string?> TwilioAndVonage()
    {
        var settings = new Dictionary<string, string?>
        {
            ["FollowUp:Twilio:AccountSid"] = TwilioTestAccount.AccountSid,
            ["FollowUp:Twilio:AuthToken"] = TwilioTestAccount.AuthToken,
            ["FollowUp:Twilio:From"] = TwilioTestAccount.DefaultFrom,
            ["FollowUp:Sms:Vonage:ApiKey"] = FakeVonageServer.ApiKey,
            ["FollowUp:Sms:Vonage:ApiSecret"] = FakeVonageServer.ApiSecret,
            ["FollowUp:Sms:Vonage:From"] = "+12125550188",
        };
        return settings;
    }

    [Test]
    public void Validate_ConfiguredProvidersInAnyCase_Start()
    {
        var settings = TwilioAndVonage();
        settings["FollowUp:Sms:Providers:0"] = "Vonage";
        settings["FollowUp:Sms:Providers:1"] = "twilio";

        Assert.DoesNotThrow(() => Validate(settings));
    }

    [Test]
    public void Validate_NoOrder_Starts() => Assert.DoesNotThrow(() => Validate(TwilioAndVonage()));

    [TestCase("plivo", null, "FollowUp:Sms:Providers:0 names 'plivo', which is not an SMS provider (one of twilio, vonage, webhook)")]
    [TestCase("twilio", "TWILIO", "FollowUp:Sms:Providers:1 names 'TWILIO' a second time")]
    [TestCase("twilio", "webhook", "FollowUp:Sms:Providers:1 names 'webhook', which is not configured")]
    public void Validate_BadOrder_StopsStartUpNamingTheKey(string first, string? second, string expected)
    {
        var settings = TwilioAndVonage();
        settings["FollowUp:Sms:Providers:0"] = first;
        if (second is not null)
        {
            settings["FollowUp:Sms:Providers:1"] = second;
        }

        var ex = Assert.Throws<OptionsValidationException>(() => Validate(settings));

        Assert.That(ex!.Message, Does.Contain(expected));
    }
}
