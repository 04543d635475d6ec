using FollowUp.Jobs.Channels.Email;
using Microsoft.Extensions.Configuration;

namespace FollowUp.Tests.Channels.Email;

public sealed class SmtpOptionsTests
{
    private static SmtpOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new SmtpOptions();
        configuration.GetSection(SmtpOptions.Section).Bind(options);
        return options;
    }

    private static IEnumerable<string> Errors(SmtpOptions options) =>
        new SmtpOptions.Validator().Validate(null, options).Failures ?? [];

    [Test]
    public void Bind_EmptySection_GivesDocumentedDefaults_AndIsNotConfigured()
    {
        var options = Bind([]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Port, Is.EqualTo(587));
            Assert.That(options.EffectiveSecurity, Is.EqualTo(SmtpSecurity.StartTls));
            Assert.That(options.PoolSize, Is.EqualTo(4));
            Assert.That(options.TimeoutSeconds, Is.EqualTo(10));
            Assert.That(options.RateLimitPerSecond, Is.Zero);
            Assert.That(options.IsConfigured, Is.False);
            Assert.That(Errors(options), Is.Empty);
        });
    }

    [Test]
    public void Bind_EnvironmentStyleKeys_AreRead()
    {
        var options = Bind(new()
        {
            ["FollowUp:Smtp:Host"] = "mail.example",
            ["FollowUp:Smtp:Port"] = "25",
            ["FollowUp:Smtp:From"] = "Acme <hello@acme.example>",
            ["FollowUp:Smtp:EnableSsl"] = "false",
        });

        Assert.Multiple(() =>
        {
            Assert.That(options.Host, Is.EqualTo("mail.example"));
            Assert.That(options.Port, Is.EqualTo(25));
            Assert.That(options.EnableSsl, Is.False);
            Assert.That(options.EffectiveSecurity, Is.EqualTo(SmtpSecurity.None));
            Assert.That(options.IsConfigured, Is.True);
        });
    }

    [Test]
    public void Validate_HostWithoutFrom_NamesTheFromKey()
    {
        Assert.That(Errors(new SmtpOptions { Host = "mail.example" }), Has.Some.Contains("FollowUp:Smtp:From"));
    }

    [Test]
    public void Validate_Port465WithStartTls_AsksForSslOnConnect()
    {
        var errors = Errors(new SmtpOptions { Host = "mail.example", From = "a@b.example", Port = 465, Security = SmtpSecurity.StartTls });

        Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:Port").And.Contains("SslOnConnect"));
    }

    [Test]
    public void EffectiveSecurity_Port465WithLegacyEnableSsl_IsImplicitTls()
    {
        var options = Bind(new() { ["FollowUp:Smtp:Port"] = "465", ["FollowUp:Smtp:EnableSsl"] = "true" });

        Assert.Multiple(() =>
        {
            Assert.That(options.EffectiveSecurity, Is.EqualTo(SmtpSecurity.SslOnConnect));
            Assert.That(Errors(options), Is.Empty);
        });
    }

    [TestCase("Auto", SmtpSecurity.Auto)]
    [TestCase("StartTls", SmtpSecurity.StartTls)]
    [TestCase("SslOnConnect", SmtpSecurity.SslOnConnect)]
    [TestCase("None", SmtpSecurity.None)]
    public void Bind_Security_WinsOverEnableSsl(string value, SmtpSecurity expected)
    {
        var options = Bind(new() { ["FollowUp:Smtp:Security"] = value, ["FollowUp:Smtp:EnableSsl"] = "false" });

        Assert.That(options.EffectiveSecurity, Is.EqualTo(expected));
    }

    [Test]
    public void Validate_BadValues_EachNameTheirKey()
    {
        var errors = Errors(new SmtpOptions
        {
            Port = 0, TimeoutSeconds = 0, PoolSize = 65, RateLimitPerSecond = -1, From = "not an address", User = "u",
        }).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:Port"));
            Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:TimeoutSeconds"));
            Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:PoolSize"));
            Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:RateLimitPerSecond"));
            Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:From is not a valid address"));
            Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:Password"));
        });
    }

    [Test]
    public void Validate_UserWithPassword_DoesNotEchoThePassword()
    {
        var errors = Errors(new SmtpOptions { User = "u", Password = "hunter2", Port = 0 });

        Assert.That(errors, Has.None.Contains("hunter2"));
    }

    [TestCase(SmtpSecurity.None, 587)]
    [TestCase(SmtpSecurity.Auto, 587)]
    [TestCase(SmtpSecurity.Auto, 25)]
    public void Validate_UserOverAConnectionThatMayBePlainText_IsRefusedNamingSecurity(SmtpSecurity security, int port)
    {
        var errors = Errors(new SmtpOptions
        {
            Host = "mail.example", From = "a@b.example", Port = port, Security = security, User = "u", Password = "hunter2",
        }).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:User").And.Contains("FollowUp:Smtp:Security").And.Contains(security.ToString()));
            Assert.That(errors, Has.None.Contains("hunter2"));
        });
    }

    [Test]
    public void Validate_UserWithEnableSslFalse_IsRefusedNamingEnableSsl()
    {
        var errors = Errors(new SmtpOptions { Host = "mail.example", From = "a@b.example", EnableSsl = false, User = "u", Password = "p" });

        Assert.That(errors, Has.Some.Contains("FollowUp:Smtp:User").And.Contains("FollowUp:Smtp:EnableSsl"));
    }

    [TestCase(SmtpSecurity.StartTls, 587)]
    [TestCase(SmtpSecurity.SslOnConnect, 465)]
    [TestCase(SmtpSecurity.Auto, 465)]
    public void Validate_UserOverRequiredTls_IsAccepted(SmtpSecurity security, int port)
    {
        var errors = Errors(new SmtpOptions
        {
            Host = "mail.example", From = "a@b.example", Port = port, Security = security, User = "u", Password = "p",
        });

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_NoneWithoutUser_IsAllowed_PoolWaitSecondsZero_IsRefused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Errors(new SmtpOptions { Host = "relay", From = "a@b.example", Security = SmtpSecurity.None }), Is.Empty);
            Assert.That(Errors(new SmtpOptions { Host = "relay", From = "a@b.example", PoolWaitSeconds = 0 }),
                Has.Some.Contains("FollowUp:Smtp:PoolWaitSeconds"));
        });
    }
}
