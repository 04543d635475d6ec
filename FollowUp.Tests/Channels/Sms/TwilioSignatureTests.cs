using FollowUp.Jobs.Channels.Sms;

namespace FollowUp.Tests.Channels.Sms;

public sealed class TwilioSignatureTests
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
    public void Compute_TwilioPublishedExample_MatchesPublishedSignature()
    {
        Assert.That(TwilioSignature.Compute(Token, Url, Form()), Is.EqualTo(Expected));
    }

    [Test]
    public void Compute_ParamsInAnyOrder_SignSortedByName()
    {
        var shuffled = Form().Reverse().ToList();
        Assert.That(TwilioSignature.Compute(Token, Url, shuffled), Is.EqualTo(Expected));
    }

    [Test]
    public void IsValid_PublishedExample_IsTrue()
    {
        Assert.That(TwilioSignature.IsValid(Token, Url, Form(), Expected), Is.True);
    }

    [Test]
    public void IsValid_TamperedParam_IsFalse()
    {
        var form = Form();
        form["Digits"] = "1235";
        Assert.That(TwilioSignature.IsValid(Token, Url, form, Expected), Is.False);
    }

    [Test]
    public void IsValid_AddedParam_IsFalse()
    {
        var form = Form();
        form["Body"] = "STOP";
        Assert.That(TwilioSignature.IsValid(Token, Url, form, Expected), Is.False);
    }

    [Test]
    public void IsValid_DifferentUrl_IsFalse()
    {
        Assert.That(TwilioSignature.IsValid(Token, "https://mycompany.com/myapp.php?foo=1&bar=3", Form(), Expected), Is.False);
    }

    [Test]
    public void IsValid_WrongToken_IsFalse()
    {
        Assert.That(TwilioSignature.IsValid("54321", Url, Form(), Expected), Is.False);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("RSOYDt4T1cUTdK1PDd93/VVr8B8")]
    public void IsValid_MissingOrTruncatedSignature_IsFalse(string? signature)
    {
        Assert.That(TwilioSignature.IsValid(Token, Url, Form(), signature), Is.False);
    }
}
