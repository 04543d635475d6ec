using FollowUp.Jobs.Messages;
using FollowUp.Tests.Support;
using NodaTime;
using NodaTime.Testing;

namespace FollowUp.Tests.Messages;

/// <summary>Callbacks for ids no message has yet: parked, and dropped after a day (time from NodaTime.Testing's FakeClock).</summary>
public sealed class ParkedDeliveriesTests
{
    private TestDatabase _db = null!;

    [SetUp]
    public async Task SetUp() => _db = await TestDatabase.CreateAsync();

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    [Test]
    public async Task ApplyAsync_UnknownId_IsParked_AndADayLaterDropped()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 11, 30, 12, 0));
        var updates = new DeliveryUpdates(_db.DataSource, clock);

        var first = await updates.ApplyAsync("twilio", "SM-never-stored", MessageStatus.Delivered, null, 1, 0.0079m, "USD", CancellationToken.None);
        var parkedAt = await _db.ScalarAsync<long>("select count(*) from parked_deliveries");
        clock.AdvanceHours(25);
        await updates.ApplyAsync("twilio", "SM-later", MessageStatus.Sent, null, null, null, null, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(first, Is.Null, "no message has that id (yet)");
            Assert.That(parkedAt, Is.EqualTo(1));
            Assert.That(await _db.QueryAsync<string>("select provider_message_id from parked_deliveries"), Is.EqualTo(new[] { "SM-later" }),
                "the day-old unmatched callback is gone");
        });
    }
}
