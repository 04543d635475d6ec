using System.Data;
using Dapper;

namespace FollowUp.Jobs.Channels;

/// <summary>A <see cref="Channel"/> is stored as its name (<c>messages.channel</c>, <c>suppressions.channel</c>).</summary>
internal sealed class ChannelTypeHandler : SqlMapper.TypeHandler<Channel>
{
    public override void SetValue(IDbDataParameter parameter, Channel? value) =>
        parameter.Value = value is null ? DBNull.Value : value.Name;

    public override Channel? Parse(object value) => value switch
    {
        DBNull or null => null,
        string name => Channel.TryParse(name, out var channel) ? channel : throw new DataException($"'{name}' is not a channel."),
        _ => throw new DataException($"Cannot convert {value.GetType()} to a channel."),
    };
}
