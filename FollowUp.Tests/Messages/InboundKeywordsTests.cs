using FollowUp.Jobs.Messages;

namespace FollowUp.Tests.Messages;

public sealed class InboundKeywordsTests
{
    [TestCase("STOP", InboundKeyword.Stop)]
    [TestCase("  stop\n", InboundKeyword.Stop)]
    [TestCase("StopAll", InboundKeyword.Stop)]
    [TestCase("unsubscribe", InboundKeyword.Stop)]
    [TestCase("Cancel", InboundKeyword.Stop)]
    [TestCase("END", InboundKeyword.Stop)]
    [TestCase("quit", InboundKeyword.Stop)]
    [TestCase("start", InboundKeyword.Start)]
    [TestCase(" YES ", InboundKeyword.Start)]
    [TestCase("Unstop", InboundKeyword.Start)]
    [TestCase("help", InboundKeyword.Help)]
    [TestCase(" Info ", InboundKeyword.Help)]
    [TestCase("please stop texting me", InboundKeyword.None)]
    [TestCase("STOP!", InboundKeyword.None)]
    [TestCase("", InboundKeyword.None)]
    [TestCase(null, InboundKeyword.None)]
    public void Classify_WholeTrimmedMessageAnyCase(string? body, InboundKeyword expected) =>
        Assert.That(InboundKeywords.Classify(body), Is.EqualTo(expected));
}
