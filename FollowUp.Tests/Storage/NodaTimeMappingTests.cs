using Dapper;
using FollowUp.Tests.Support;
using NodaTime;

namespace FollowUp.Tests.Storage;

/// <summary>NodaTime through Dapper and Npgsql.NodaTime, on the data source as the app builds it.</summary>
public sealed class NodaTimeMappingTests
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
        var raw = await connection.ExecuteScalarAsync<object>("select @value::timestamptz", new { value });

        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(value));
            Assert.That(type, Is.EqualTo("timestamp with time zone"));
            Assert.That(none, Is.Null);
            Assert.That(raw, Is.TypeOf<Instant>(), "the driver itself reads timestamptz as Instant (Npgsql.NodaTime)");
        });
    }

    [Test]
    public async Task LocalDate_RoundTripsThroughDate()
    {
        await using var db = await TestDatabase.CreateAsync(migrated: false);
        var value = new LocalDate(2026, 12, 25);
        await using var connection = await db.DataSource.OpenConnectionAsync();

        var back = await connection.ExecuteScalarAsync<LocalDate>("select @value", new { value });
        var type = await connection.ExecuteScalarAsync<string>("select pg_typeof(@value)::text", new { value });

        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(value));
            Assert.That(type, Is.EqualTo("date"));
        });
    }
}
