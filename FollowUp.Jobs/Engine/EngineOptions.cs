using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine;

/// <summary>The engine's settings, bound from <c>FollowUp:Engine</c>.</summary>
public sealed class EngineOptions
{
    public const string Section = "FollowUp:Engine";

    /// <summary>Whether this process claims and runs jobs (a web-only node can turn it off).</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>Jobs this node runs at once.</summary>
    public int Concurrency { get; set; } = 64;

    /// <summary>Most jobs claimed in one round trip.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>How long a claim lasts without being extended; the node extends it every third of this.</summary>
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>Longest sleep with nothing due and no NOTIFY (a safety net; waking is normally by NOTIFY or timer).</summary>
    public int PollSeconds { get; set; } = 5;

    /// <summary>How long shutdown waits for running jobs before cancelling them and releasing their claims.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>How often (cluster-wide, on Quartz) jobs whose lease ran out are rescued.</summary>
    public int RescueIntervalSeconds { get; set; } = 15;

    /// <summary>How often recurring definitions are synchronised into Quartz.</summary>
    public int RecurringSyncSeconds { get; set; } = 15;

    /// <summary>How often (cluster-wide) jobs per state and messages per status are recounted for the dashboard.</summary>
    public int StateCountSeconds { get; set; } = 15;

    /// <summary>Succeeded and cancelled jobs older than this are deleted with their history.</summary>
    public int RetentionDays { get; set; } = 7;

    /// <summary>Per job type name: at most this many running at once on this node.</summary>
    public Dictionary<string, int> ConcurrencyLimits { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Validates with messages that name the configuration key.</summary>
    internal sealed class Validator : IValidateOptions<EngineOptions>
    {
        public ValidateOptionsResult Validate(string? name, EngineOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(Concurrency), options.Concurrency, 1, 10_000);
            OptionChecks.Range(errors, Section, nameof(BatchSize), options.BatchSize, 1, 10_000);
            OptionChecks.Range(errors, Section, nameof(LeaseSeconds), options.LeaseSeconds, 3, 86_400);
            OptionChecks.Range(errors, Section, nameof(PollSeconds), options.PollSeconds, 1, 3_600);
            OptionChecks.Range(errors, Section, nameof(ShutdownTimeoutSeconds), options.ShutdownTimeoutSeconds, 0, 3_600);
            OptionChecks.Range(errors, Section, nameof(RescueIntervalSeconds), options.RescueIntervalSeconds, 1, 3_600);
            OptionChecks.Range(errors, Section, nameof(RecurringSyncSeconds), options.RecurringSyncSeconds, 1, 3_600);
            OptionChecks.Range(errors, Section, nameof(StateCountSeconds), options.StateCountSeconds, 1, 3_600);
            OptionChecks.Range(errors, Section, nameof(RetentionDays), options.RetentionDays, 1, 3_650);
            foreach (var (type, limit) in options.ConcurrencyLimits)
            {
                OptionChecks.Range(errors, Section, $"{nameof(ConcurrencyLimits)}:{type}", limit, 1, 10_000);
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

    }
}
