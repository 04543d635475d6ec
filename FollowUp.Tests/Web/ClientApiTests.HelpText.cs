using System.Net;
using System.Text.Json;

namespace FollowUp.Tests.Web;

/// <summary>help_text: stored and read back, validated on save.</summary>
public sealed partial class ClientApiTests
{
    [Test]
    public async Task Put_HelpText_IsStoredAndReturned()
    {
        var json = AcmeJson.Replace("\"name\": \"Acme Dental\",", "\"name\": \"Acme Dental\", \"help_text\": \"Acme Dental: call +1 212 555 0100.\\nReply STOP to stop.\",", StringComparison.Ordinal);

        var response = await Put("acme-dental", json);
        var answer = await response.Content.ReadAsStringAsync();
        using var read = JsonDocument.Parse(await Api.Client.GetStringAsync(new Uri("/api/clients/acme-dental", UriKind.Relative)));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer);
            Assert.That(read.RootElement.GetProperty("help_text").GetString(), Is.EqualTo("Acme Dental: call +1 212 555 0100.\nReply STOP to stop."));
        });
    }

    [TestCase("blank")]
    [TestCase("control")]
    [TestCase("long")]
    public async Task Put_HelpTextBlankTooLongOrWithControlCharacters_422NamesHelpText_NothingStored(string problemCase)
    {
        var value = problemCase switch
        {
            "blank" => "\"   \"",
            "control" => "\"tab\\tinside\"",
            _ => "\"" + new string('x', 321) + "\"",
        };

        var response = await Put("acme-dental", AcmeJson.Replace("\"name\": \"Acme Dental\",", $"\"name\": \"Acme Dental\", \"help_text\": {value},", StringComparison.Ordinal));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "help_text" }));
            Assert.That(await ClientCount(), Is.Zero);
        });
    }
}
