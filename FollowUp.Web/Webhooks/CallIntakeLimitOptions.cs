using Microsoft.Extensions.Options;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// <c>FollowUp:Webhooks</c>: how many call webhooks are processed at once on this node, and how many
/// may wait. Beyond that a webhook is answered 503 with <c>Retry-After</c> at once: telephony retries a
/// non-2xx, so shedding loses nothing, while an unbounded queue would make every caller wait until it
/// times out (measured: at 1,000/s offered the median wait reached 25 s).
/// </summary>
internal sealed class CallIntakeLimitOptions
{
    public const string Section = "FollowUp:Webhooks";

    public int MaxConcurrent { get; set; } = 32;

    public int MaxQueued { get; set; } = 256;

    public int RetryAfterSeconds { get; set; } = 2;

    internal sealed class Validator : IValidateOptions<CallIntakeLimitOptions>
    {
        public ValidateOptionsResult Validate(string? name, CallIntakeLimitOptions options)
        {
            var errors = new List<string>();
            if (options.MaxConcurrent is < 1 or > 1_000)
            {
                errors.Add($"{Section}:MaxConcurrent must be 1 to 1000 (was {options.MaxConcurrent}).");
            }

            if (options.MaxQueued is < 0 or > 100_000)
            {
                errors.Add($"{Section}:MaxQueued must be 0 to 100000 (was {options.MaxQueued}).");
            }

            if (options.RetryAfterSeconds is < 1 or > 3_600)
            {
                errors.Add($"{Section}:RetryAfterSeconds must be 1 to 3600 (was {options.RetryAfterSeconds}).");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
