using System.Buffers.Text;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace FollowUp.Tests.Channels.Email;

/// <summary>The one-click link's token: what it carries, and what it refuses (tampering, another key ring, expiry on the clock).</summary>
public sealed class UnsubscribeLinksTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 1, 15, 0);

    private readonly EphemeralDataProtectionProvider _keys = new();
    private readonly FakeClock _clock = new(Now);

    private UnsubscribeLinks Links(string? publicBaseUrl = "https://followup.example", IDataProtectionProvider? keys = null) =>
        new(keys ?? _keys, Options.Create(new PublicUrlOptions { PublicBaseUrl = publicBaseUrl }), Options.Create(new UnsubscribeOptions()), _clock);

    [Test]
    public void LinkFor_HttpsBase_IsTheUnsubscribePathWithATokenThatReadsBack()
    {
        var links = Links("https://followup.example/");

        var link = links.LinkFor("acme-dental", "Ana@Example.com")!;
        var read = links.Read(link.AbsolutePath[UnsubscribeLinks.PathPrefix.Length..]);

        Assert.Multiple(() =>
        {
            Assert.That(link.GetLeftPart(UriPartial.Authority), Is.EqualTo("https://followup.example"));
            Assert.That(link.AbsolutePath, Does.StartWith("/unsubscribe/"));
            Assert.That(link.AbsoluteUri, Does.Not.Contain("ana").IgnoreCase, "the address is encrypted, not in clear");
            Assert.That(read, Is.EqualTo(new UnsubscribeToken(UnsubscribeTokenStatus.Valid, "acme-dental", "Ana@Example.com", Now + Duration.FromDays(90))));
        });
    }

    [TestCase(null)]
    [TestCase("http://localhost:8080")]
    public void LinkFor_NoHttpsBase_IsNull(string? publicBaseUrl) =>
        Assert.That(Links(publicBaseUrl).LinkFor("acme-dental", "ana@example.com"), Is.Null);

    [Test]
    public void Read_OneByteChanged_IsInvalid()
    {
        var links = Links();
        var bytes = Base64Url.DecodeFromChars(links.Mint("acme-dental", "ana@example.com").AsSpan());
        bytes[^5] ^= 0x01;

        Assert.That(links.Read(Base64Url.EncodeToString(bytes)), Is.EqualTo(UnsubscribeToken.Invalid));
    }

    [Test]
    public void Read_MadeWithAnotherKeyRing_IsInvalid()
    {
        var token = Links(keys: new EphemeralDataProtectionProvider()).Mint("acme-dental", "ana@example.com");

        Assert.That(Links().Read(token), Is.EqualTo(UnsubscribeToken.Invalid));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("not base64url!")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Read_Malformed_IsInvalid(string? token) => Assert.That(Links().Read(token), Is.EqualTo(UnsubscribeToken.Invalid));

    [Test]
    public void Read_AfterTheLifetime_IsExpired_AndStillNamesWhoItWasFor()
    {
        var links = Links();
        var token = links.Mint("acme-dental", "ana@example.com");

        _clock.Advance(Duration.FromDays(90) - Duration.FromSeconds(1));
        var lastSecond = links.Read(token).Status;
        _clock.Advance(Duration.FromSeconds(1));
        var expired = links.Read(token);

        Assert.Multiple(() =>
        {
            Assert.That(lastSecond, Is.EqualTo(UnsubscribeTokenStatus.Valid));
            Assert.That(expired.Status, Is.EqualTo(UnsubscribeTokenStatus.Expired));
            Assert.That(expired.ExpiresAt, Is.EqualTo(Now + Duration.FromDays(90)));
        });
    }
}
