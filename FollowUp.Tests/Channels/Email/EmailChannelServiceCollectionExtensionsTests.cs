using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Channels.Email;

public sealed class EmailChannelServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddEmailChannel(configuration);
        return services.BuildServiceProvider();
    }

    [Test]
    public void AddEmailChannel_NothingConfigured_RegistersSmtpThenSendGrid_BothUnconfigured()
    {
        using var provider = Build([]);

        var providers = provider.GetServices<IEmailProvider>().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(providers.Select(p => p.Name), Is.EqualTo(new[] { "smtp", "sendgrid" }));
            Assert.That(providers.Select(p => p.IsConfigured), Is.All.False);
        });
    }

    [Test]
    public void AddEmailChannel_InvalidSettings_FailStartupValidation_NamingTheKeys()
    {
        using var provider = Build(new()
        {
            ["FollowUp:Smtp:Host"] = "mail.example",
            ["FollowUp:SendGrid:TimeoutSeconds"] = "0",
        });

        var ex = Assert.Throws<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var messages = ex.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(messages, Has.Some.Contains("FollowUp:Smtp:From"));
            Assert.That(messages, Has.Some.Contains("FollowUp:SendGrid:TimeoutSeconds"));
        });
    }

    [Test]
    public async Task AddEmailChannel_SendGridConfigured_SendsThroughTheTypedClientToBaseUrl()
    {
        await using var fake = await FakeSendGridServer.StartAsync();
        fake.RespondAccepted("sg-1");
        using var provider = Build(new()
        {
            ["FollowUp:SendGrid:ApiKey"] = "SG.di",
            ["FollowUp:SendGrid:From"] = "hello@acme.example",
            ["FollowUp:SendGrid:BaseUrl"] = fake.BaseUrl,
        });
        provider.GetRequiredService<IStartupValidator>().Validate();

        var sendGrid = provider.GetServices<IEmailProvider>().Single(p => p.Name == "sendgrid");
        var receipt = await sendGrid.SendAsync(new EmailRequest("ana@example.com", null, "s", "t", null, "m-1"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(sendGrid.IsConfigured, Is.True);
            Assert.That(receipt.ProviderMessageId, Is.EqualTo("sg-1"));
            Assert.That(fake.Requests.Single().Authorization, Is.EqualTo("Bearer SG.di"));
        });
    }

    [Test]
    public void AddEmailChannel_SendGridTimeout_IsAppliedToTheTypedClient()
    {
        using var provider = Build(new() { ["FollowUp:SendGrid:TimeoutSeconds"] = "1" });
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        // Typed clients are named after their type.
        using var client = factory.CreateClient(nameof(SendGridEmailProvider));

        Assert.That(client.Timeout, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task AddEmailChannel_SmtpConfigured_SendsToTheConfiguredHost()
    {
        await using var smtp = SmtpTestServer.Start();
        using var provider = Build(new()
        {
            ["FollowUp:Smtp:Host"] = "127.0.0.1",
            ["FollowUp:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FollowUp:Smtp:EnableSsl"] = "false",
            ["FollowUp:Smtp:From"] = "hello@acme.example",
        });

        var first = provider.GetServices<IEmailProvider>().First();
        var receipt = await first.SendAsync(new EmailRequest("ana@example.com", null, "s", "t", null, "m-2@followup.test"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(receipt, Is.EqualTo(new ProviderReceipt("smtp", "m-2@followup.test", "accepted")));
            Assert.That(smtp.Received, Has.Count.EqualTo(1));
        });
    }
}
