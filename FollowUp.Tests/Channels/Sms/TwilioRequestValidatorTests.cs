using FollowUp.Tests.Support;
using Twilio.Security;

namespace FollowUp.Tests.Channels.Sms;

/// <summary>
/// Twilio's <see cref="RequestValidator"/>, which the webhooks use, against Twilio's published example;
/// and our test signer (the fake Twilio side) against the same example, so the end-to-end tests sign
/// what Twilio would.
/// </summary>
public sealed class TwilioRequestValidatorTests
{
    // Twilio's published example ("Validating Requests are coming from Twilio").
    private const string Token = "12345";
    private const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private const string Expected = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

    private static Dictionary<string, string> Form() => new()
    {
        ["CallSid"] = "CA1234567890ABCDE",
        ["Caller"] = "+14158675309",
        ["Digits"] = "1234",
        ["From"] = "+14158675309",
        ["To"] = "+18005551212",
    };

    [Test]
    public void Validate_PublishedExample_IsTrue()
    {
        Assert.That(new RequestValidator(Token).Validate(Url, Form(), Expected), Is.True);
    }

    [Test]
    public void Sign_PublishedExample_MatchesPublishedSignature()
    {
        Assert.That(TwilioSigner.Sign(Token, Url, Form().Reverse()), Is.EqualTo(Expected));
    }

    [Test]
    public void Validate_TamperedParam_IsFalse()
    {
        var form = Form();
        form["Digits"] = "1235";
        Assert.That(new RequestValidator(Token).Validate(Url, form, Expected), Is.False);
    }

    [Test]
    public void Validate_AddedParam_IsFalse()
    {
        var form = Form();
        form["Body"] = "STOP";
        Assert.That(new RequestValidator(Token).Validate(Url, form, Expected), Is.False);
    }

    [Test]
    public void Validate_DifferentUrl_IsFalse()
    {
        Assert.That(new RequestValidator(Token).Validate("https://mycompany.com/myapp.php?foo=1&bar=3", Form(), Expected), Is.False);
    }

    [Test]
    public void Validate_WrongToken_IsFalse()
    {
        Assert.That(new RequestValidator("54321").Validate(Url, Form(), Expected), Is.False);
    }

    [Test]
    public void Validate_TruncatedSignature_IsFalse()
    {
        Assert.That(new RequestValidator(Token).Validate(Url, Form(), "RSOYDt4T1cUTdK1PDd93/VVr8B8"), Is.False);
    }

    [Test]
    public void Validate_EmptySignature_Throws()
    {
        // Why the webhook checks for an empty header before asking the validator.
        Assert.That(() => new RequestValidator(Token).Validate(Url, Form(), ""), Throws.ArgumentException);
    }
}
