using FollowUp.Jobs;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Webhooks;

/// <summary>
/// <c>FollowUp:Webhooks</c>: how many webhooks are processed at once on this node, and how many may
/// wait — call webhooks and provider webhooks (Twilio, SendGrid) each have a limiter of this size.
/// Beyond that a webhook is answered 503 with <c>Retry-After</c> at once: telephony and the providers
/// retry a non-2xx, so shedding loses nothing, while an unbounded queue would make every caller wait
/// until it times out (measured: at 1,000/s offered the median wait reached 25 s).
/// </summary>
internal sealed class WebhookLimitOptions
{
    public const string Section = "FollowUp:Webhooks";

    public int MaxConcurrent { get; set; } = 32;

    public int MaxQueued { get; set; } = 256;

    public int RetryAfterSeconds { get; set; } = 2;

    internal sealed class Validator : IValidateOptions<WebhookLimitOptions>
    {
        public ValidateOptionsResult Validate(string? name, WebhookLimitOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(MaxConcurrent), options.MaxConcurrent, 1, 1_000);
            OptionChecks.Range(errors, Section, nameof(MaxQueued), options.MaxQueued, 0, 100_000);
            OptionChecks.Range(errors, Section, nameof(RetryAfterSeconds), options.RetryAfterSeconds, 1, 3_600);

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
