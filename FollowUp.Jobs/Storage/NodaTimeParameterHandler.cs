using System.Data;
using Dapper;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// Lets Dapper pass a NodaTime value through to Npgsql untouched. The conversion itself is
/// Npgsql.NodaTime's (<c>timestamptz</c> ↔ <c>Instant</c>, <c>date</c> ↔ <c>LocalDate</c>, applied to our
/// data source); this exists only because Dapper refuses a parameter of a type it does not know unless
/// a handler is registered for it, and hands a handler DBNull for a <c>Nullable&lt;T&gt;</c> member.
/// </summary>
internal sealed class NodaTimeParameterHandler<T> : SqlMapper.TypeHandler<T>
{
    public override void SetValue(IDbDataParameter parameter, T? value) =>
        parameter.Value = value is null ? DBNull.Value : value;

    public override T? Parse(object value) => value switch
    {
        DBNull or null => default,
        T typed => typed,
        // A connection without the plugin (one the tests open by hand, say) reads timestamptz as DateTime.
        DateTime dt when typeof(T) == typeof(NodaTime.Instant) || typeof(T) == typeof(NodaTime.Instant?) =>
            (T)(object)NodaTime.Instant.FromDateTimeUtc(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        _ => throw new DataException($"Cannot convert {value.GetType()} to {typeof(T)}."),
    };
}
