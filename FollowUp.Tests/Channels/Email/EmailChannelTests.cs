using FollowUp.Jobs.Channels.Email;

namespace FollowUp.Tests.Channels.Email;

public sealed class EmailChannelTests
{
    [Test]
    public void HtmlAlternative_EncodesText_KeepsParagraphsAndLineBreaks()
    {
        var html = EmailChannel.HtmlAlternative("Hi <Ana> & co,\nsee you.\n\nAcme");

        Assert.That(html, Is.EqualTo("<!DOCTYPE html><html><body><p>Hi &lt;Ana&gt; &amp; co,<br>see you.</p><p>Acme</p></body></html>"));
    }
}
