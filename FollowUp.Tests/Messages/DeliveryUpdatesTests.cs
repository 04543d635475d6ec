using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Messages;

public sealed class DeliveryUpdatesTests : EngineTest
{
    private ScriptedSmsProvider _sms = null!;

    protected override void ConfigureServices(IServiceCollection services)
    {
        _sms = new ScriptedSmsProvider("twilio");
        services.AddSingleton<FollowUp.Jobs.Channels.Sms.ISmsProvider>(_sms);
    }

    private async Task<MessageInfo> SentMessageAsync()
    {
        var messages = Engine.Services.GetRequiredService<IMessageClient>();
        var planned = await messages.SendSmsAsync("acme-dental", "+12125550123", "Hi");
        return await Eventually.WaitForAsync(async () => (await messages.FindAsync(planned.Id))!, m => m.Status == MessageStatus.Sent);
    }

    [Test]
    public async Task Apply_Delivered_ThenLateSent_StaysDelivered_PriceReplacesEstimate()
    {
        var message = await SentMessageAsync();
        var updates = Engine.Services.GetRequiredService<DeliveryUpdates>();

        await updates.ApplyAsync("twilio", message.ProviderMessageId!, "delivered", null, 2, 0.0158m, "USD", CancellationToken.None);
        await updates.ApplyAsync("twilio", message.ProviderMessageId!, "sent", null, null, null, null, CancellationToken.None);

        var after = (await Engine.Services.GetRequiredService<IMessageClient>().FindAsync(message.Id))!;
        Assert.Multiple(() =>
        {
            Assert.That(after.Status, Is.EqualTo("delivered"));
            Assert.That(after.DeliveredAt, Is.Not.Null);
            Assert.That(after.Segments, Is.EqualTo(2), "the provider's count replaces ours");
            Assert.That(after.Cost, Is.EqualTo(0.0158m), "the provider's price replaces the estimate");
        });
    }

    [Test]
    public async Task Apply_UnknownProviderId_ReturnsNull_ChangesNothing()
    {
        var updates = Engine.Services.GetRequiredService<DeliveryUpdates>();

        var id = await updates.ApplyAsync("twilio", "SM_unknown", "delivered", null, null, null, null, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(id, Is.Null);
            Assert.That(await Db.ScalarAsync<long>("select count(*) from message_events"), Is.Zero);
        });
    }

    [Test]
    public async Task Suppress_ThenLift_ControlsWhetherTheNextMessageIsSent()
    {
        var suppressions = Engine.Services.GetRequiredService<Suppressions>();
        var messages = Engine.Services.GetRequiredService<IMessageClient>();

        await suppressions.SuppressAsync(["acme-dental"], Channel.Sms, "+12125550123", "STOP", CancellationToken.None);
        var whileSuppressed = await messages.SendSmsAsync("acme-dental", "+12125550123", "one");
        var skipped = await Eventually.WaitForAsync(async () => (await messages.FindAsync(whileSuppressed.Id))!, m => m.Status == MessageStatus.Skipped);
        await suppressions.LiftAsync(["acme-dental"], Channel.Sms, "+12125550123", CancellationToken.None);
        var afterLift = await messages.SendSmsAsync("acme-dental", "+12125550123", "two");
        await Eventually.WaitForAsync(async () => (await messages.FindAsync(afterLift.Id))!, m => m.Status == MessageStatus.Sent);

        Assert.Multiple(async () =>
        {
            Assert.That(skipped.SkipReason, Is.EqualTo("opted out"));
            Assert.That(await suppressions.IsSuppressedAsync("acme-dental", Channel.Sms, "+12125550123", CancellationToken.None), Is.False);
            Assert.That(await Db.ScalarAsync<long>("select count(*) from suppressions where lifted_at is not null"), Is.EqualTo(1), "the lifted row is kept");
        });
    }

    [Test]
    public async Task ClientsSendingFrom_MatchesOwnNumberOrProviderDefault()
    {
        await TestClients.CreateAsync(Engine.Services, "no-sender", TestClients.Acme(c => c with { SmsFrom = null }));
        var suppressions = Engine.Services.GetRequiredService<Suppressions>();

        var own = await suppressions.ClientsSendingFromAsync("+12125550100", "+12125550199", false, CancellationToken.None);
        var shared = await suppressions.ClientsSendingFromAsync("+12125550199", "+12125550199", false, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(own, Is.EqualTo(new[] { "acme-dental" }));
            Assert.That(shared, Is.EqualTo(new[] { "no-sender" }));
        });
    }
}
