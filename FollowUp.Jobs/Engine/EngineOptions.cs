using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine;

/// <summary>The Hangfire engine's settings, bound from <c>FollowUp:Engine</c> and validated at start-up.</summary>
public sealed class EngineOptions
{
    public const string Section = "FollowUp:Engine";

    /// <summary>The queue of sends that a person is waiting for (confirmation, cancellation, text-back).</summary>
    public const string CriticalQueue = "critical";

    /// <summary>The queue of reminders, nurture and everything else.</summary>
    public const string DefaultQueue = "default";

    /// <summary>The schema Hangfire.PostgreSql keeps its tables in (installed by <c>MigrationRunner</c>).</summary>
    public const string HangfireSchema = Storage.MigrationRunner.HangfireSchema;

    /// <summary>
    /// Whether this process runs a Hangfire server (workers, the delayed-job and recurring schedulers,
    /// the dispatcher of unsent messages). A web-only node turns it off; a cluster is N processes on one
    /// database.
    /// </summary>
    public bool RunServer { get; set; } = true;

    /// <summary>Hangfire workers in this process.</summary>
    public int WorkerCount { get; set; } = 20;

    /// <summary>Queues in priority order: a worker takes from the first non-empty one.</summary>
    public string[] Queues { get; set; } = [CriticalQueue, DefaultQueue];

    /// <summary>
    /// How often an idle worker looks for enqueued jobs another process created (jobs created in this
    /// process wake its workers at once). Long polling (LISTEN/NOTIFY) is off on purpose: see
    /// docs/ARCHITECTURE.md, "Why polling".
    /// </summary>
    public int QueuePollMilliseconds { get; set; } = 1000;

    /// <summary>How often due delayed jobs (reminders, retries) are moved to their queue. Hangfire's default is 15 s.</summary>
    public int SchedulePollMilliseconds { get; set; } = 1000;

    /// <summary>
    /// How many due delayed jobs the scheduler moves to their queue at once (Hangfire's
    /// <c>MaxDegreeOfParallelismForSchedulers</c>; its default is 1). Each move is its own guarded state
    /// change, so a burst of reminders due in the same second waits on them one by one with 1
    /// (docs/BENCHMARKS.md, "10,000 due in one second").
    /// </summary>
    public int SchedulerParallelism { get; set; } = 4;

    /// <summary>
    /// How long a fetched job stays invisible to other servers; with the sliding timeout a live server
    /// keeps extending it (every fifth of this), so this is how soon a dead server's jobs run elsewhere.
    /// One minute: a <c>kill -9</c> with SMS in flight settles in about that (docs/ARCHITECTURE.md, "What
    /// can go wrong"). The trade-off: a live server cut off from the database for longer than this loses
    /// its jobs to another server while it may still be running them; the send claim and the provider
    /// lookup keep that from sending an SMS twice.
    /// </summary>
    public int InvisibilityTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// After how long a Hangfire.PostgreSql lock row counts as abandoned. FollowUp takes Hangfire's locks
    /// as advisory locks, which die with their session (<see cref="EngineStorage"/>); only the
    /// library's expiration manager still takes a row, and one left by a connection that died blocks the
    /// expiration of finished jobs until it expires (Hangfire.PostgreSql's default: 10 minutes).
    /// </summary>
    public int LockTimeoutSeconds { get; set; } = 30;

    /// <summary>How long shutdown waits for running jobs before cancelling them (they are then requeued).</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>How often the scheduled-but-undispatched messages are looked for (see <c>MessageDispatcher</c>).</summary>
    public int DispatchPollMilliseconds { get; set; } = 1000;

    /// <summary>Zone of the recurring jobs' cron expressions (IANA).</summary>
    public string RecurringTimeZone { get; set; } = "UTC";

    /// <summary>How often (seconds) messages per status are recounted for the dashboard.</summary>
    public int StateCountSeconds { get; set; } = 15;

    /// <summary>
    /// Hangfire keeps succeeded and deleted jobs this long (its own expiration; Failed and Scheduled jobs
    /// never expire). One day, Hangfire's own default: every stock dashboard page counts every kept job, so
    /// a week at tens of thousands of sends a day slows them several-fold (BENCHMARKS.md, "Dashboard").
    /// A message's own history stays in <c>messages</c> and <c>message_events</c> whatever this is.
    /// </summary>
    public int RetentionDays { get; set; } = 1;

    /// <summary>Raw bodies of processed call webhooks older than this are blanked; the row and its outcome stay.</summary>
    public int WebhookBodyRetentionDays { get; set; } = 30;

    /// <summary>
    /// Dashboard audit entries older than this are deleted by the retention job (a year by default: long
    /// enough for a yearly access review, short enough that the table does not grow without bound).
    /// </summary>
    public int AuditRetentionDays { get; set; } = 365;

    /// <summary>The reconciler leaves a message alone until it is this late (its job may simply be on its way).</summary>
    public int ReconcileGraceSeconds { get; set; } = 120;

    /// <summary>A job Enqueued for longer than this while its message is due counts as stuck and is re-enqueued.</summary>
    public int StuckAfterSeconds { get; set; } = 600;

    /// <summary>Whether this process takes jobs at all.</summary>
    public bool ServerEnabled => RunServer;

    /// <summary>
    /// <see cref="ServerEnabled"/> read from configuration while services are still being registered
    /// (what runs only on servers is decided then).
    /// </summary>
    public static bool ServerEnabledIn(IConfiguration configuration)
    {
        var options = new EngineOptions();
        configuration.GetSection(Section).Bind(options);
        return options.ServerEnabled;
    }

    /// <summary>Validates with messages that name the configuration key.</summary>
    internal sealed class Validator : IValidateOptions<EngineOptions>
    {
        private static readonly string[] KnownQueues = [CriticalQueue, DefaultQueue];

        public ValidateOptionsResult Validate(string? name, EngineOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(WorkerCount), options.WorkerCount, 1, 1_000);
            OptionChecks.Range(errors, Section, nameof(SchedulerParallelism), options.SchedulerParallelism, 1, 64);
            OptionChecks.Range(errors, Section, nameof(QueuePollMilliseconds), options.QueuePollMilliseconds, 50, 60_000);
            OptionChecks.Range(errors, Section, nameof(SchedulePollMilliseconds), options.SchedulePollMilliseconds, 100, 60_000);
            OptionChecks.Range(errors, Section, nameof(InvisibilityTimeoutSeconds), options.InvisibilityTimeoutSeconds, 10, 86_400);
            OptionChecks.Range(errors, Section, nameof(ShutdownTimeoutSeconds), options.ShutdownTimeoutSeconds, 0, 3_600);
            OptionChecks.Range(errors, Section, nameof(LockTimeoutSeconds), options.LockTimeoutSeconds, 5, 3_600);
            OptionChecks.Range(errors, Section, nameof(DispatchPollMilliseconds), options.DispatchPollMilliseconds, 50, 60_000);
            OptionChecks.Range(errors, Section, nameof(StateCountSeconds), options.StateCountSeconds, 1, 3_600);
            OptionChecks.Range(errors, Section, nameof(RetentionDays), options.RetentionDays, 1, 3_650);
            OptionChecks.Range(errors, Section, nameof(WebhookBodyRetentionDays), options.WebhookBodyRetentionDays, 1, 3_650);
            OptionChecks.Range(errors, Section, nameof(AuditRetentionDays), options.AuditRetentionDays, 1, 3_650);
            OptionChecks.Range(errors, Section, nameof(ReconcileGraceSeconds), options.ReconcileGraceSeconds, 1, 86_400);
            OptionChecks.Range(errors, Section, nameof(StuckAfterSeconds), options.StuckAfterSeconds, 10, 86_400);
            if (options.Queues.Length == 0)
            {
                errors.Add($"{Section}:{nameof(Queues)} must list at least one queue.");
            }

            foreach (var queue in options.Queues)
            {
                // Hangfire's rule: lower-case letters, digits, underscores and dashes.
                if (string.IsNullOrEmpty(queue) || !queue.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
                {
                    errors.Add($"{Section}:{nameof(Queues)} has '{queue}': a queue name is lower-case letters, digits, '_' or '-'.");
                }
            }

            foreach (var known in KnownQueues.Where(q => !options.Queues.Contains(q, StringComparer.Ordinal)))
            {
                errors.Add($"{Section}:{nameof(Queues)} must include '{known}': FollowUp's sends go there.");
            }

            if (TimeZoneInfo.TryFindSystemTimeZoneById(options.RecurringTimeZone, out _) is false)
            {
                errors.Add($"{Section}:{nameof(RecurringTimeZone)} '{options.RecurringTimeZone}' is not a known time zone.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
