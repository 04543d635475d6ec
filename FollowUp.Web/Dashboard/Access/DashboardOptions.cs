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

    /// <summary>
    /// A session ends this many hours after its sign-in, however active (the idle expiry slides; this
    /// does not): a stolen cookie is not good forever. At least <see cref="IdleMinutes"/>.
    /// </summary>
    public int AbsoluteSessionHours { get; set; } = 12;

    /// <summary>Failed sign-ins in a row, for one user name from one client address, that block that address for that name.</summary>
    public int LockoutAttempts { get; set; } = 5;

    /// <summary>How long such a block lasts (for that name from that address only: the owner elsewhere is not affected).</summary>
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>
    /// Sign-in POSTs one client address may make per <see cref="LoginWindowSeconds"/> (all names
    /// together); beyond that, 429. The lockout protects one account; this slows a spray across many.
    /// </summary>
    public int LoginRequestsPerWindow { get; set; } = 10;

    public int LoginWindowSeconds { get; set; } = 60;

    /// <summary>
    /// Local development only (<c>./run.sh</c> and the tests serve plain HTTP on 127.0.0.1): issue the
    /// session and anti-forgery cookies without <c>Secure</c> on a plain-HTTP request. Off, they are
    /// always <c>Secure</c>, and a plain-HTTP sign-in fails: behind a TLS-terminating proxy, configure
    /// <c>FollowUp:ForwardedHeaders:KnownProxies</c> so the app sees the original HTTPS.
    /// </summary>
    public bool AllowInsecureCookies { get; set; }

    /// <summary>Open live streams (<c>/dashboard/live</c>) one user may hold on this node; beyond that, 429.</summary>
    public int LiveStreamsPerUser { get; set; } = 6;

    /// <summary>Open live streams on this node, all users together; beyond that, 429.</summary>
    public int LiveStreamsTotal { get; set; } = 200;

    /// <summary>How often an open live stream re-reads its user: a disabled user's stream ends within this.</summary>
    public int LiveRecheckSeconds { get; set; } = 30;

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
            OptionChecks.Range(errors, Section, nameof(AbsoluteSessionHours), options.AbsoluteSessionHours, 1, 720);
            if (options.AbsoluteSessionHours * 60 < options.IdleMinutes)
            {
                errors.Add($"{Section}:{nameof(AbsoluteSessionHours)} ({options.AbsoluteSessionHours} h) must be at least {Section}:{nameof(IdleMinutes)} ({options.IdleMinutes} min).");
            }

            OptionChecks.Range(errors, Section, nameof(LockoutAttempts), options.LockoutAttempts, 1, 100);
            OptionChecks.Range(errors, Section, nameof(LockoutMinutes), options.LockoutMinutes, 1, 1_440);
            OptionChecks.Range(errors, Section, nameof(LoginRequestsPerWindow), options.LoginRequestsPerWindow, 1, 10_000);
            OptionChecks.Range(errors, Section, nameof(LoginWindowSeconds), options.LoginWindowSeconds, 1, 86_400);
            OptionChecks.Range(errors, Section, nameof(LiveStreamsPerUser), options.LiveStreamsPerUser, 1, 1_000);
            OptionChecks.Range(errors, Section, nameof(LiveStreamsTotal), options.LiveStreamsTotal, 1, 100_000);
            // At most a minute: a disabled user's open stream must end within one.
            OptionChecks.Range(errors, Section, nameof(LiveRecheckSeconds), options.LiveRecheckSeconds, 1, 60);

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
