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

            if (options.IdleMinutes is < 1 or > 1_440)
            {
                errors.Add($"{Section}:IdleMinutes must be between 1 and 1440, not {options.IdleMinutes}.");
            }

            if (options.LockoutAttempts is < 1 or > 100)
            {
                errors.Add($"{Section}:LockoutAttempts must be between 1 and 100, not {options.LockoutAttempts}.");
            }

            if (options.LockoutMinutes is < 1 or > 1_440)
            {
                errors.Add($"{Section}:LockoutMinutes must be between 1 and 1440, not {options.LockoutMinutes}.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
