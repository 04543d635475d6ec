using FollowUp.Jobs.Messages;

namespace FollowUp.Tests.Messages;

public sealed class MessageSenderTests
{
    [Test]
    public void HtmlAlternative_EncodesText_KeepsParagraphsAndLineBreaks()
    {
        var html = MessageSender.HtmlAlternative("Hi <Ana> & co,\nsee you.\n\nAcme");

        Assert.That(html, Is.EqualTo("<!DOCTYPE html><html><body><p>Hi &lt;Ana&gt; &amp; co,<br>see you.</p><p>Acme</p></body></html>"));
    }
}
