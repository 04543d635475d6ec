using Hangfire;

namespace FollowUp.Jobs.Engine;

/// <summary>
/// A feature's recurring job (the reconciler, the webhook replay), registered in DI by the feature and
/// created or updated by <see cref="RecurringJobsRegistrar"/> at start-up with the engine's cron zone: the
/// engine schedules them without knowing their types.
/// </summary>
internal sealed record RecurringJobRegistration(Action<IRecurringJobManager, RecurringJobOptions> Register);
