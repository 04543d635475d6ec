using System.Data;
using Dapper;
using NodaTime;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// Maps NodaTime <see cref="Instant"/> to PostgreSQL <c>timestamptz</c> for Dapper. Npgsql.NodaTime is
/// not served here, so the round trip goes through a UTC <see cref="DateTime"/>, which Npgsql writes
/// and reads as <c>timestamptz</c> without conversion. Microsecond precision: PostgreSQL drops the
/// last digit of .NET's 100 ns ticks.
/// </summary>
internal sealed class InstantTypeHandler : SqlMapper.TypeHandler<Instant>
{
    public override void SetValue(IDbDataParameter parameter, Instant value)
    {
        parameter.DbType = DbType.DateTime;
        parameter.Value = value.ToDateTimeUtc();
    }

    public override Instant Parse(object value) => value switch
    {
        DateTime dt => Instant.FromDateTimeUtc(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        DateTimeOffset dto => Instant.FromDateTimeOffset(dto),
        _ => throw new DataException($"Cannot convert {value.GetType()} to Instant."),
    };
}
