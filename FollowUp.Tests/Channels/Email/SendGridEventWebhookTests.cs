using System.Security.Cryptography;
using FollowUp.Jobs.Channels.Email;

namespace FollowUp.Tests.Channels.Email;

/// <summary>
/// The signed event webhook check (SendGrid's RequestValidator behind <see cref="SendGridEventWebhook"/>),
/// proven with the test vectors SendGrid publishes in its own helper libraries' EventWebhook tests
/// (values only: key, payload, signature, timestamp).
/// </summary>
public sealed class SendGridEventWebhookTests
{
    // Vector from sendgrid-csharp's RequestValidatorTests.
    private const string CsharpKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
    private const string CsharpPayload = """{"category":"example_payload","event":"test_event","message_id":"message_id"}""";
    private const string CsharpSignature = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
    private const string CsharpTimestamp = "1588788367";

    // Vector from sendgrid-python's test_eventwebhook: a real "dropped" event, body ending in CRLF.
    private const string PythonKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    private const string PythonSignature = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    private const string PythonTimestamp = "1600112502";
    private const string PythonPayload =
        """[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]"""
        + "\r\n";

    // Another valid P-256 key from the same published tests, which did not make the signature.
    private const string OtherKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";

    [Test]
    public void Verify_SendGridCsharpVector_ReturnsTrue()
    {
        Assert.That(SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(CsharpKey), CsharpSignature, CsharpTimestamp, CsharpPayload), Is.True);
    }

    [Test]
    public void Verify_SendGridPythonVectorWithTrailingCrLf_ReturnsTrue()
    {
        Assert.That(SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(PythonKey), PythonSignature, PythonTimestamp, PythonPayload), Is.True);
    }

    [Test]
    public void Verify_TamperedBody_ReturnsFalse()
    {
        var tampered = CsharpPayload.Replace("test_event", "test_evenT", StringComparison.Ordinal);

        Assert.That(SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(CsharpKey), CsharpSignature, CsharpTimestamp, tampered), Is.False);
    }

    [Test]
    public void Verify_BodyWithoutItsTrailingCrLf_ReturnsFalse()
    {
        // The raw bytes are signed: trimming the body (as a careless reader might) breaks it.
        Assert.That(SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(PythonKey), PythonSignature, PythonTimestamp, PythonPayload.TrimEnd()), Is.False);
    }

    [Test]
    public void Verify_OtherTimestamp_ReturnsFalse()
    {
        Assert.That(SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(CsharpKey), CsharpSignature, "1588788368", CsharpPayload), Is.False);
    }

    [Test]
    public void Verify_OtherKey_ReturnsFalse()
    {
        Assert.That(SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(OtherKey), CsharpSignature, CsharpTimestamp, CsharpPayload), Is.False);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("signature")]
    [TestCase("not base64 !")]
    public void Verify_MissingOrMalformedSignature_ReturnsFalse(string? signature)
    {
        Assert.That(SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(CsharpKey), signature, CsharpTimestamp, CsharpPayload), Is.False);
    }

    [Test]
    public void Verify_MissingTimestamp_ReturnsFalse()
    {
        Assert.That(SendGridEventWebhook.Verify(SendGridEventWebhook.ParseKey(CsharpKey), CsharpSignature, null, CsharpPayload), Is.False);
    }

    [Test]
    public void ParseKey_KeyOnAnotherCurve_Throws()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var key = Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo());

        Assert.Throws<FormatException>(() => SendGridEventWebhook.ParseKey(key));
    }

    [Test]
    public void ParseKey_KeyNotBase64_Throws()
    {
        Assert.Throws<FormatException>(() => SendGridEventWebhook.ParseKey("not a key!"));
    }
}
