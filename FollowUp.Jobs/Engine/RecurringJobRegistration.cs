using Hangfire;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// A recurring job that a feature contributes (housekeeping, the reconciler, the dashboard's counts):
/// registered in DI with <see cref="RecurringJobServiceCollectionExtensions.AddRecurringJob"/>, added or
/// updated in Hangfire by the engine at start-up, which knows no feature.
/// </summary>
/// <param name="Id">Hangfire's recurring-job id, stable across releases (the stock dashboard shows it).</param>
/// <param name="AddOrUpdate">
/// Calls <see cref="IRecurringJobManager"/>'s <c>AddOrUpdate</c> for the job with the options the engine
/// passes (cron evaluated in <c>FollowUp:Engine:RecurringTimeZone</c>) and the engine's options.
/// </param>
public sealed record RecurringJobRegistration(string Id, Action<IRecurringJobManager, RecurringJobOptions, EngineOptions> AddOrUpdate)
{
    /// <summary>A six-field (seconds) cron for intervals under a minute, else every N minutes.</summary>
    public static string EverySeconds(int seconds) => seconds switch
    {
        < 60 when 60 % seconds == 0 => $"*/{seconds} * * * * *",
        < 60 => "* * * * * *",
        _ => $"*/{Math.Min(59, seconds / 60)} * * * *",
    };
}
