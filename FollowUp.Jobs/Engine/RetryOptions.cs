using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine;

/// <summary>The global fixed retry, bound from <c>FollowUp:Retry</c>.</summary>
public sealed class RetryOptions
{
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
            if (options.Attempts is < 1 or > 100)
            {
                errors.Add($"{Section}:Attempts must be between 1 and 100 (was {options.Attempts}).");
            }

            if (options.DelaySeconds is < 0 or > 86_400)
            {
                errors.Add($"{Section}:DelaySeconds must be between 0 and 86400 (was {options.DelaySeconds}).");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
