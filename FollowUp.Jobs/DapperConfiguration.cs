using Dapper;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Storage;

namespace FollowUp.Jobs;

/// <summary>Process-wide Dapper settings: snake_case columns, NodaTime parameters passed to Npgsql.NodaTime, channels by name. Idempotent.</summary>
public static class DapperConfiguration
{
    private static int _configured;

    /// <summary>Applies the settings once per process; later calls do nothing.</summary>
    public static void Apply()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new NodaTimeParameterHandler<NodaTime.Instant>());
        SqlMapper.AddTypeHandler(new NodaTimeParameterHandler<NodaTime.Instant?>());
        SqlMapper.AddTypeHandler(new NodaTimeParameterHandler<NodaTime.LocalDate>());
        SqlMapper.AddTypeHandler(new NodaTimeParameterHandler<NodaTime.LocalDate?>());
        SqlMapper.AddTypeHandler(new ChannelTypeHandler());
    }
}
