using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine;

/// <summary>The global fixed retry, bound from <c>FollowUp:Retry</c>.</summary>
public sealed class RetryOptions
{
    /// <summary>The configuration section (<c>FollowUp__Retry__Attempts</c>, <c>FollowUp__Retry__DelaySeconds</c> in the environment).</summary>
    public const string Section = "FollowUp:Retry";

    /// <summary>Attempts in all, the first included.</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>Seconds between a failed attempt and the next.</summary>
    public int DelaySeconds { get; set; } = 60;

    internal sealed class Validator : IValidateOptions<RetryOptions>
    {
        public ValidateOptionsResult Validate(string? name, RetryOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(Attempts), options.Attempts, 1, 100);
            OptionChecks.Range(errors, Section, nameof(DelaySeconds), options.DelaySeconds, 0, 86_400);

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
