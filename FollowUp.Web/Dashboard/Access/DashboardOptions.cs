using FollowUp.Jobs;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>Dashboard sign-in settings, from <c>FollowUp:Dashboard</c>.</summary>
internal sealed class DashboardOptions
{
    public const string Section = "FollowUp:Dashboard";

    /// <summary>The first admin's password; used only when no enabled admin exists at start-up.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>A session ends after this many minutes without a request (sliding).</summary>
    public int IdleMinutes { get; set; } = 30;

    /// <summary>Failed sign-ins in a row that lock an account.</summary>
    public int LockoutAttempts { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    public int LockoutMinutes { get; set; } = 15;

    internal sealed class Validator : IValidateOptions<DashboardOptions>
    {
        public ValidateOptionsResult Validate(string? name, DashboardOptions options)
        {
            var errors = new List<string>();
            if (options.AdminPassword is { } password && password.Length < 12)
            {
                errors.Add($"{Section}:AdminPassword must be at least 12 characters (environment: FollowUp__Dashboard__AdminPassword).");
            }

            OptionChecks.Range(errors, Section, nameof(IdleMinutes), options.IdleMinutes, 1, 1_440);
            OptionChecks.Range(errors, Section, nameof(LockoutAttempts), options.LockoutAttempts, 1, 100);
            OptionChecks.Range(errors, Section, nameof(LockoutMinutes), options.LockoutMinutes, 1, 1_440);

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
