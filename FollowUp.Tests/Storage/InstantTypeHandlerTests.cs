using Dapper;
using FollowUp.Tests.Support;
using NodaTime;

namespace FollowUp.Tests.Storage;

public sealed class InstantTypeHandlerTests
{
    [Test]
    public async Task Instant_RoundTripsThroughTimestamptz_AtMicrosecondPrecision_AndNullStaysNull()
    {
        await using var db = await TestDatabase.CreateAsync(migrated: false);
        var value = Instant.FromUnixTimeTicks(17_950_000_001_234_560); // whole microseconds
        await using var connection = await db.DataSource.OpenConnectionAsync();

        var back = await connection.ExecuteScalarAsync<Instant>("select @value::timestamptz", new { value });
        var type = await connection.ExecuteScalarAsync<string>("select pg_typeof(@value)::text", new { value });
        var none = await connection.ExecuteScalarAsync<Instant?>("select null::timestamptz");

        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(value));
            Assert.That(type, Is.EqualTo("timestamp with time zone"));
            Assert.That(none, Is.Null);
        });
    }
}
