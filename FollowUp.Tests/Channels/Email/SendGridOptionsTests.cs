using System.Security.Cryptography;
using FollowUp.Jobs.Channels.Email;

namespace FollowUp.Tests.Channels.Email;

public sealed class SendGridOptionsTests
{
    private static IEnumerable<string> Errors(SendGridOptions options) =>
        new SendGridOptions.Validator().Validate(null, options).Failures ?? [];

    [Test]
    public void New_Defaults_AreSendGridsHostAndNotConfigured()
    {
        var options = new SendGridOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.BaseUrl, Is.EqualTo("https://api.sendgrid.com"));
            Assert.That(options.TimeoutSeconds, Is.EqualTo(10));
            Assert.That(options.RateLimitPerSecond, Is.Zero);
            Assert.That(options.IsConfigured, Is.False);
            Assert.That(Errors(options), Is.Empty);
        });
    }

    [Test]
    public void IsConfigured_ApiKeyAndFrom_IsTrue()
    {
        Assert.That(new SendGridOptions { ApiKey = "SG.x", From = "a@b.example" }.IsConfigured, Is.True);
    }

    [Test]
    public void Validate_ApiKeyWithoutFrom_NamesTheFromKey()
    {
        Assert.That(Errors(new SendGridOptions { ApiKey = "SG.x" }), Has.Some.Contains("FollowUp:SendGrid:From"));
    }

    [Test]
    public void Validate_BadValues_EachNameTheirKey()
    {
        var errors = Errors(new SendGridOptions
        {
            BaseUrl = "api.sendgrid.com", TimeoutSeconds = 0, RateLimitPerSecond = -1, WebhookPublicKey = "bm90IGEga2V5",
        }).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Some.Contains("FollowUp:SendGrid:BaseUrl"));
            Assert.That(errors, Has.Some.Contains("FollowUp:SendGrid:TimeoutSeconds"));
            Assert.That(errors, Has.Some.Contains("FollowUp:SendGrid:RateLimitPerSecond"));
            Assert.That(errors, Has.Some.Contains("FollowUp:SendGrid:WebhookPublicKey"));
        });
    }

    [Test]
    public void Validate_WebhookPublicKeyOfP256_IsAccepted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.That(Errors(new SendGridOptions { WebhookPublicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) }), Is.Empty);
    }

    [Test]
    public void Validate_ErrorMessages_NeverContainTheApiKey()
    {
        var errors = Errors(new SendGridOptions { ApiKey = "SG.secret-value", BaseUrl = "nope" });

        Assert.That(errors, Has.None.Contains("SG.secret-value"));
    }
}
