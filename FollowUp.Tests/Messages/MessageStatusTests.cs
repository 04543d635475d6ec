using System.Text.RegularExpressions;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Messages;
using FollowUp.Jobs.Notifications;
using FollowUp.Jobs.Templates;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace FollowUp.Tests.Messages;

/// <summary>One list of statuses (MessageStatus, NotificationStatus) and one guarded writer of them, on real PostgreSQL.</summary>
public sealed partial class MessageStatusTests
{
    private TestDatabase _db = null!;

    [SetUp]
    public async Task SetUp() => _db = await TestDatabase.CreateAsync();

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private async Task<string[]> CheckedStatusesAsync(string table) =>
        [.. QuotedWord().Matches(await _db.ScalarAsync<string>("""
            select pg_get_constraintdef(c.oid) from pg_constraint c
            where c.conrelid = @table::regclass and c.contype = 'c' and pg_get_constraintdef(c.oid) like '%status%'
            """, new { table })).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("'([a-z_]+)'")]
    private static partial Regex QuotedWord();

    [Test]
    public async Task MessagesCheckConstraint_AllowsExactlyMessageStatusAll()
    {
        Assert.That(await CheckedStatusesAsync("messages"), Is.EquivalentTo(MessageStatus.All));
    }

    [Test]
    public async Task NotificationsCheckConstraint_AllowsExactlyNotificationStatusAll()
    {
        Assert.That(await CheckedStatusesAsync("notifications"), Is.EquivalentTo(NotificationStatus.All));
    }

    [Test]
    public void NamedSets_AreMadeOfKnownStatuses_AndNoDeadLetterIsSendable()
    {
        IReadOnlyList<string>[] sets =
        [
            MessageStatus.Sendable, MessageStatus.Pending, MessageStatus.Editable, MessageStatus.Deferrable, MessageStatus.InFlight,
            MessageStatus.DeadLetterable, MessageStatus.Requeueable, MessageStatus.Unsettled, MessageStatus.Attempted,
            MessageStatus.BeforeSent, MessageStatus.BeforeFinal,
        ];
        Assert.Multiple(() =>
        {
            Assert.That(sets.SelectMany(s => s).Distinct(), Is.SubsetOf(MessageStatus.All));
            Assert.That(MessageStatus.Sendable, Does.Not.Contain(MessageStatus.DeadLettered), "a dead letter is sent only after its requeue");
        });
    }

    [Test]
    public async Task Transition_WritesStatusAndEventTogether_InTheCallersTransaction_GuardedByItsSet()
    {
        await using var host = await EngineHost.StartAsync(_db, new() { ["FollowUp:Engine:RunServer"] = "false" });
        await TestClients.CreateAsync(host.Services);
        var store = host.Services.GetRequiredService<MessageStore>();
        var messages = host.Services.GetRequiredService<IMessageClient>();
        long id;
        await using (var connection = await _db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            id = await messages.PlanAsync(new NewMessage("acme-dental", MessageKind.AdHoc, Channel.Sms, "+12125550123", null, "Hi",
                SystemClock.Instance.GetCurrentInstant() + Duration.FromHours(1)), tx);
            await tx.CommitAsync();
        }

        bool rolledBack;
        await using (var connection = await _db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            rolledBack = await store.CancelAsync(id, "first try", tx, CancellationToken.None) is (true, _);
            await tx.RollbackAsync();
        }

        var afterRollback = await StatusAndEventsAsync(id);
        var cancelled = await store.CancelAsync(id, "by ops", null, CancellationToken.None);
        var again = await store.CancelAsync(id, "by ops again", null, CancellationToken.None);
        var sending = await store.MarkSendingAsync(id, "attempt 1", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(rolledBack, Is.True);
            Assert.That(afterRollback, Is.EqualTo(("scheduled", 0L)), "the status and its event roll back together");
            Assert.That(cancelled.Cancelled, Is.True);
            Assert.That(again.Cancelled, Is.False, "cancelled is not in MessageStatus.Pending");
            Assert.That(sending, Is.False, "cancelled is not in MessageStatus.Sendable");
            Assert.That(await StatusAndEventsAsync(id), Is.EqualTo(("cancelled", 1L)), "one event per change that happened");
            Assert.That(await _db.ScalarAsync<string>("select event || ': ' || detail from message_events where message_id = @id", new { id }),
                Is.EqualTo("cancelled: by ops"));
        });
    }

    private async Task<(string, long)> StatusAndEventsAsync(long id) =>
        (await _db.ScalarAsync<string>("select status from messages where id = @id", new { id }),
         await _db.ScalarAsync<long>("select count(*) from message_events where message_id = @id", new { id }));
}
