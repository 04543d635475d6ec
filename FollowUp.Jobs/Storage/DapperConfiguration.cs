using Dapper;

namespace FollowUp.Jobs.Storage;

/// <summary>Process-wide Dapper settings: snake_case columns and NodaTime handlers. Idempotent.</summary>
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
        SqlMapper.AddTypeHandler(new InstantTypeHandler());
        SqlMapper.AddTypeHandler(new NullableInstantTypeHandler());
    }
}
