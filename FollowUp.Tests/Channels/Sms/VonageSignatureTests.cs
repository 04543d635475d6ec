using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Signing;
using FollowUp.Tests.Support;
using NodaTime;

namespace FollowUp.Tests.Channels.Sms;

/// <summary>
/// Vonage's signed-webhook scheme, checked against receipts the fake signs by its own reading of Vonage's guide,
/// for each method an account may choose, with values that hold the characters the scheme replaces.
/// </summary>
public sealed class VonageSignatureTests
{
    private static readonly FakeVonageRequest Sent = new("application/x-www-form-urlencoded",
        new Dictionary<string, string> { ["to"] = "12125550123", ["from"] = "AcmeDental", ["client-ref"] = "42" }, ["0C00000021000001"]);

    [TestCase(VonageSignature.Md5Hash)]
    [TestCase(VonageSignature.Sha256)]
    [TestCase(VonageSignature.Sha512)]
    public void Verify_SignedWithTheAccountsMethod_Valid(string method)
    {
        var receipt = FakeVonageServer.Receipt(Sent, "delivered", method: method);

        Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, method, receipt, SystemClock.Instance.GetCurrentInstant()),
            Is.EqualTo(SignatureCheck.Valid));
    }

    [Test]
    public void Verify_ValuesWithAmpersandsAndEquals_Valid_AndTheirChangeIsAMismatch()
    {
        // The scheme puts "_" for & and = in the string it hashes, so such values sign as Vonage signs them.
        var now = SystemClock.Instance.GetCurrentInstant();
        var signed = FakeVonageServer.Receipt(Sent, "delivered", extra: new Dictionary<string, string> { ["nonce"] = "a&b=c", ["price"] = "0.0333=x" });
        var changed = new Dictionary<string, string>(signed) { ["nonce"] = "a&b=d" };

        Assert.Multiple(() =>
        {
            Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, VonageSignature.Sha256, signed, now), Is.EqualTo(SignatureCheck.Valid));
            Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, VonageSignature.Md5Hash, FakeVonageServer.Receipt(Sent, "delivered",
                method: VonageSignature.Md5Hash, extra: new Dictionary<string, string> { ["nonce"] = "x=1&y=2" }), now), Is.EqualTo(SignatureCheck.Valid));
            Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, VonageSignature.Sha256, changed, now), Is.EqualTo(SignatureCheck.Mismatch),
                "a value changed after signing");
        });
    }

    [Test]
    public void Verify_WrongMethodOrSecret_Mismatch()
    {
        var receipt = FakeVonageServer.Receipt(Sent, "delivered", method: VonageSignature.Sha256);
        var now = SystemClock.Instance.GetCurrentInstant();

        Assert.Multiple(() =>
        {
            Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, VonageSignature.Sha512, receipt, now), Is.EqualTo(SignatureCheck.Mismatch));
            Assert.That(VonageSignature.Verify("another-signature-secret-0123", VonageSignature.Sha256, receipt, now), Is.EqualTo(SignatureCheck.Mismatch));
        });
    }

    [TestCase(-301, SignatureCheck.Expired)]
    [TestCase(301, SignatureCheck.Expired)]
    [TestCase(-299, SignatureCheck.Valid)]
    public void Verify_TimestampWindow(int offsetSeconds, SignatureCheck expected)
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        var receipt = FakeVonageServer.Receipt(Sent, "delivered", at: now + Duration.FromSeconds(offsetSeconds));

        Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, VonageSignature.Sha256, receipt, now), Is.EqualTo(expected));
    }

    [Test]
    public void Verify_NoSigNoTimestampOrATimestampThatIsNoNumber_Refused()
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        var noSig = FakeVonageServer.Receipt(Sent, "delivered");
        noSig.Remove("sig");
        var noTimestamp = FakeVonageServer.Receipt(Sent, "delivered");
        noTimestamp.Remove("timestamp");
        var badTimestamp = FakeVonageServer.Receipt(Sent, "delivered");
        badTimestamp["timestamp"] = "yesterday";

        Assert.Multiple(() =>
        {
            Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, VonageSignature.Sha256, noSig, now), Is.EqualTo(SignatureCheck.Missing));
            Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, VonageSignature.Sha256, noTimestamp, now), Is.EqualTo(SignatureCheck.Missing));
            Assert.That(VonageSignature.Verify(FakeVonageServer.SignatureSecret, VonageSignature.Sha256, badTimestamp, now), Is.EqualTo(SignatureCheck.Malformed));
        });
    }
}
