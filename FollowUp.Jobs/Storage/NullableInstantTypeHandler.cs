using System.Data;
using Dapper;
using NodaTime;

namespace FollowUp.Jobs.Storage;

/// <summary>
/// <see cref="InstantTypeHandler"/> for nullable columns: Dapper hands a handler DBNull for a
/// <c>Nullable&lt;T&gt;</c> member, which a non-nullable handler cannot return.
/// </summary>
internal sealed class NullableInstantTypeHandler : SqlMapper.TypeHandler<Instant?>
{
    private readonly InstantTypeHandler _inner = new();

    public override void SetValue(IDbDataParameter parameter, Instant? value)
    {
        if (value is { } instant)
        {
            _inner.SetValue(parameter, instant);
            return;
        }

        parameter.DbType = DbType.DateTime;
        parameter.Value = DBNull.Value;
    }

    public override Instant? Parse(object value) => value is DBNull or null ? null : _inner.Parse(value);
}
