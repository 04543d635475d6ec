using System.Text;
using FollowUp.Jobs.Calls;
using NodaTime;
using FollowUp.Jobs.Signing;

namespace FollowUp.Tests.Signing;

public sealed class CallSignatureTests
{
    private const string Secret = "whsec_0123456789abcdef";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"event_id":"evt_01"}""");
    private static readonly Instant Now = Instant.FromUnixTimeSeconds(1_795_000_000);

    [Test]
    public void Verify_OwnSignature_Valid_AndEachFailureNamed()
    {
        var header = CallSignature.Compute(Secret, Now.ToUnixTimeSeconds(), Body);
        Assert.Multiple(() =>
        {
            Assert.That(CallSignature.Verify(Secret, header, Body, Now), Is.EqualTo(SignatureCheck.Valid));
            Assert.That(CallSignature.Verify(Secret, header, Body, Now + Duration.FromSeconds(300)), Is.EqualTo(SignatureCheck.Valid));
            Assert.That(CallSignature.Verify(Secret, header, Body, Now + Duration.FromSeconds(301)), Is.EqualTo(SignatureCheck.Expired));
            Assert.That(CallSignature.Verify(Secret, header, Body, Now - Duration.FromSeconds(301)), Is.EqualTo(SignatureCheck.Expired));
            Assert.That(CallSignature.Verify(Secret, null, Body, Now), Is.EqualTo(SignatureCheck.Missing));
            Assert.That(CallSignature.Verify(Secret, "v1=abc", Body, Now), Is.EqualTo(SignatureCheck.Malformed));
            Assert.That(CallSignature.Verify(Secret, header, [.. Body, (byte)' '], Now), Is.EqualTo(SignatureCheck.Mismatch));
            Assert.That(CallSignature.Verify("whsec_another_secret_1", header, Body, Now), Is.EqualTo(SignatureCheck.Mismatch));
        });
    }

    [Test]
    public void Verify_SecondV1ForSecretRotation_Accepted()
    {
        var good = CallSignature.Compute(Secret, Now.ToUnixTimeSeconds(), Body);
        var header = $"t={Now.ToUnixTimeSeconds()},v1={new string('0', 64)},{good.Split(',')[1]}";
        Assert.That(CallSignature.Verify(Secret, header, Body, Now), Is.EqualTo(SignatureCheck.Valid));
    }

    [Test]
    public void Retell_Verify_SignsBodyThenMilliseconds()
    {
        var ms = Now.ToUnixTimeMilliseconds();
        var header = RetellCallEvents.Sign(Secret, ms, Body);
        // Independent of our code: HMAC over body + ms, as Retell documents.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("""{"event_id":"evt_01"}""" + ms)));
        Assert.Multiple(() =>
        {
            Assert.That(header, Is.EqualTo($"v={ms},d={expected}"));
            Assert.That(RetellCallEvents.Verify(Secret, header, Body, Now), Is.EqualTo(SignatureCheck.Valid));
            Assert.That(RetellCallEvents.Verify(Secret, header, Body, Now + Duration.FromMinutes(6)), Is.EqualTo(SignatureCheck.Expired));
            Assert.That(RetellCallEvents.Verify(Secret, $"v={ms},d={new string('a', 64)}", Body, Now), Is.EqualTo(SignatureCheck.Mismatch));
            Assert.That(RetellCallEvents.Verify(Secret, "garbage", Body, Now), Is.EqualTo(SignatureCheck.Malformed));
        });
    }
}
