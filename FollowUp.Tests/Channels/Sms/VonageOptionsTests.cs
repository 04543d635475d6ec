using FollowUp.Jobs.Channels.Sms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Sms;

public sealed class VonageOptionsTests
{
    private static void Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddLogging().AddVonageSms(configuration).BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["FollowUp:Sms:Vonage:ApiKey"] = "a1b2c3d4",
        ["FollowUp:Sms:Vonage:ApiSecret"] = "secret-secret",
        ["FollowUp:Sms:Vonage:From"] = "+1 (212) 555-0188",
        ["FollowUp:Sms:Vonage:SignatureSecret"] = "signature-secret-0123456789",
    };

    [Test]
    public void Validate_NothingSet_StartsWithVonageUnconfigured()
    {
        var configuration = new ConfigurationBuilder().Build();
        using var services = new ServiceCollection().AddLogging().AddVonageSms(configuration).BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.That(services.GetRequiredService<ISmsProvider>().IsConfigured, Is.False);
    }

    [Test]
    public void Validate_AllSet_StartsAndTheSenderIsE164()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Valid()).Build();
        using var services = new ServiceCollection().AddLogging().AddVonageSms(configuration).BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Multiple(() =>
        {
            Assert.That(services.GetRequiredService<ISmsProvider>().IsConfigured, Is.True);
            Assert.That(services.GetRequiredService<IOptions<VonageOptions>>().Value.From, Is.EqualTo("+12125550188"));
        });
    }

    [Test]
    public void Validate_AlphanumericSender_Starts()
    {
        var settings = Valid();
        settings["FollowUp:Sms:Vonage:From"] = "AcmeDental";

        Assert.DoesNotThrow(() => Validate(settings));
    }

    [TestCase("FollowUp:Sms:Vonage:ApiSecret", "", "FollowUp:Sms:Vonage:ApiSecret is required")]
    [TestCase("FollowUp:Sms:Vonage:ApiKey", "", "FollowUp:Sms:Vonage:ApiKey is required")]
    [TestCase("FollowUp:Sms:Vonage:From", "", "FollowUp:Sms:Vonage:From is required")]
    [TestCase("FollowUp:Sms:Vonage:From", "Acme Dental Clinic", "FollowUp:Sms:Vonage:From must be an E.164 number")]
    [TestCase("FollowUp:Sms:Vonage:From", "+1212", "FollowUp:Sms:Vonage:From")]
    [TestCase("FollowUp:Sms:Vonage:BaseUrl", "rest.nexmo.com", "FollowUp:Sms:Vonage:BaseUrl must be an absolute http(s) URL")]
    [TestCase("FollowUp:Sms:Vonage:TimeoutSeconds", "0", "FollowUp:Sms:Vonage:TimeoutSeconds must be between 1 and 300")]
    [TestCase("FollowUp:Sms:Vonage:ReceiptWaitSeconds", "5", "FollowUp:Sms:Vonage:ReceiptWaitSeconds must be between 10 and 3600")]
    [TestCase("FollowUp:Sms:Vonage:SignatureMethod", "sha384", "FollowUp:Sms:Vonage:SignatureMethod must be one of md5hash, md5, sha1, sha256, sha512")]
    [TestCase("FollowUp:Sms:Vonage:SignatureSecret", "short", "FollowUp:Sms:Vonage:SignatureSecret must be at least 16 characters")]
    public void Validate_BadSetting_StopsStartUpNamingTheKey(string key, string value, string expected)
    {
        var settings = Valid();
        settings[key] = value;

        var ex = Assert.Throws<OptionsValidationException>(() => Validate(settings));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain(expected));
            Assert.That(ex.Message, Does.Not.Contain("secret-secret"), "a secret is never echoed");
        });
    }
}
