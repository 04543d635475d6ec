using FollowUp.Jobs.Channels.Sms;

namespace FollowUp.Tests.Channels.Sms;

public sealed class SmsSegmentsTests
{
    // "д" (Cyrillic) is outside the GSM alphabet, so it forces UCS-2 and costs one code unit.
    private const string Cyrillic = "д";

    // U+1F600, a surrogate pair: two UTF-16 code units.
    private const string Emoji = "\U0001F600";

    [Test]
    public void Encoding_GsmAlphabetIncludingExtensionChars_IsGsm7()
    {
        Assert.That(SmsSegments.Encoding("Hi Ana, your cleaning is at 2:00 PM. Reply STOP to opt out. £5 €5 {x} [y] ~^|\\ ñ ü à Ø"),
            Is.EqualTo(SmsEncoding.Gsm7));
    }

    [TestCase("Привет")]
    [TestCase("See you soon " + Emoji)]
    [TestCase("Café à côté")] // ô is not in the GSM alphabet (é and à are)
    [TestCase("“smart quotes”")]
    public void Encoding_AnyCharOutsideGsmAlphabet_IsUcs2(string body)
    {
        Assert.That(SmsSegments.Encoding(body), Is.EqualTo(SmsEncoding.Ucs2));
    }

    [TestCase(0, 1)]
    [TestCase(1, 1)]
    [TestCase(160, 1)]
    [TestCase(161, 2)]
    [TestCase(306, 2)]
    [TestCase(307, 3)]
    [TestCase(459, 3)]
    [TestCase(460, 4)]
    public void Count_PlainGsmText_Uses160Then153(int length, int expected)
    {
        Assert.That(SmsSegments.Count(new string('a', length)), Is.EqualTo(expected));
    }

    [Test]
    public void Count_EuroMakingExactly160Septets_IsOneSegment()
    {
        // 158 + 2 (the € is ESC + e) = 160 septets.
        Assert.That(SmsSegments.Count(new string('a', 158) + "€"), Is.EqualTo(1));
    }

    [Test]
    public void Count_EuroPushingPast160Septets_IsTwoSegments()
    {
        // 159 characters, but 159 + 1 = 161 septets: a character count alone would say one segment.
        var body = new string('a', 158) + "€";
        Assert.That(SmsSegments.Count(body + "a"), Is.EqualTo(2));
    }

    [Test]
    public void Count_EuroStraddlingAPartBoundary_MovesWholeToTheNextPart()
    {
        // 152 + 2 + 152 = 306 septets, which would divide into 2 × 153; but the € cannot be split
        // from its escape, so part one holds 152, part two € + 151, part three the last 'a'.
        var body = new string('a', 152) + "€" + new string('a', 152);
        Assert.That(SmsSegments.Count(body), Is.EqualTo(3));
    }

    [TestCase(70, 1)]
    [TestCase(71, 2)]
    [TestCase(134, 2)]
    [TestCase(135, 3)]
    public void Count_Ucs2Text_Uses70Then67(int length, int expected)
    {
        Assert.That(SmsSegments.Count(string.Concat(Enumerable.Repeat(Cyrillic, length))), Is.EqualTo(expected));
    }

    [Test]
    public void Count_EmojiMakingExactly70CodeUnits_IsOneSegment()
    {
        Assert.That(SmsSegments.Count(new string('a', 68) + Emoji), Is.EqualTo(1));
    }

    [Test]
    public void Count_EmojiCountsAsTwoCodeUnits_71UnitsIsTwoSegments()
    {
        // 70 "characters" to a reader, 71 UTF-16 code units on the wire.
        Assert.That(SmsSegments.Count(new string('a', 69) + Emoji), Is.EqualTo(2));
    }

    [Test]
    public void Count_OneEmojiInLongGsmText_SwitchesWholeBodyToUcs2()
    {
        // 100 GSM characters fit one GSM-7 SMS; with an emoji it is 102 UCS-2 code units: two parts.
        Assert.That(SmsSegments.Count(new string('a', 100) + Emoji), Is.EqualTo(2));
    }

    [Test]
    public void Count_EmojiStraddlingAPartBoundary_IsNotSplit()
    {
        // 66 + 2 + 66 = 134 code units (2 × 67), but the pair cannot be split: 66 | emoji + 65 | 1.
        var body = new string('a', 66) + Emoji + new string('a', 66);
        Assert.That(SmsSegments.Count(body), Is.EqualTo(3));
    }
}
