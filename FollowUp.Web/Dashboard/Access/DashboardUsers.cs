using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// Dashboard users in <c>dashboard_users</c>: passwords hashed with ASP.NET Core's
/// <see cref="PasswordHasher{TUser}"/>, lockout after <see cref="DashboardOptions.LockoutAttempts"/>
/// failures in a row. Each attempt is counted before its password is checked, so parallel guesses cannot
/// slip past the limit, and a right password cannot clear a lock set while it was being checked.
/// </summary>
internal sealed partial class DashboardUsers(NpgsqlDataSource dataSource, IOptions<DashboardOptions> options, IClock clock)
{
    public const int MinPasswordLength = 12;

    private static readonly PasswordHasher<DashboardUser> Hasher = new();

    private const string Columns = "name, role, disabled, failed_attempts, locked_until, created_at, updated_at";

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex NamePattern();

    /// <summary>Why <paramref name="name"/> cannot be a user name, or null when it can.</summary>
    public static string? CheckName(string? name) =>
        name is not null && NamePattern().IsMatch(name)
            ? null
            : "A user name is 1 to 64 letters, digits or . _ @ -.";

    /// <summary>Why <paramref name="password"/> cannot be a password, or null when it can.</summary>
    public static string? CheckPassword(string? password) =>
        password is { Length: >= MinPasswordLength }
            ? null
            : $"A password has at least {MinPasswordLength} characters.";

    public async Task<DashboardUser?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DashboardUser>(new CommandDefinition(
            $"select {Columns} from dashboard_users where name = @name", new { name }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<DashboardUser>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DashboardUser>(new CommandDefinition(
            $"select {Columns} from dashboard_users order by name", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    // Reserves one attempt before the password is checked: counted as a failure until proven right,
    // so N parallel guesses cannot all be checked against an account that N-1 of them should lock. The
    // attempt that brings the count to the limit locks the account itself; while locked, nothing is
    // reserved (and so nothing is checked). Postgres re-evaluates the WHERE of a concurrent update
    // against the row it waited for, so the limit holds under any concurrency. A lock that has run out
    // starts a fresh count.
    private const string ReserveSql = """
        update dashboard_users
        set failed_attempts = (case when locked_until is null then failed_attempts else 0 end) + 1,
            locked_until = case when (case when locked_until is null then failed_attempts else 0 end) + 1 >= @max
                then @lockedUntil end,
            updated_at = @now
        where name = @name and (locked_until is null or locked_until <= @now)
        returning password_hash as hash, disabled, failed_attempts as attempt, locked_until
        """;

    // A right password forgets the failures, unless another attempt has locked the account since this
    // one was reserved (the one that locked it may still succeed: it was within the limit). Checkpoint:
    // without this guard a right guess racing wrong ones would clear the lock they set.
    private const string SucceedSql = """
        update dashboard_users set failed_attempts = 0, locked_until = null, updated_at = @now,
            password_hash = coalesce(@rehash, password_hash)
        where name = @name and (locked_until is null or locked_until <= @now or failed_attempts = @attempt)
        """;

    /// <summary>
    /// Checks a name and password. An attempt is reserved (counted) before the password is looked at,
    /// and a locked account is refused without looking at it; an unknown name and a wrong password get
    /// the same answer; a disabled account is named as such only to someone who knew its password.
    /// </summary>
    public async Task<SignInResult> SignInAsync(string name, string password, CancellationToken cancellationToken)
    {
        const string wrong = "Wrong user name or password.";
        var now = clock.GetCurrentInstant();
        var o = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var reserved = await connection.QuerySingleOrDefaultAsync<Reservation>(new CommandDefinition(ReserveSql, new
        {
            name, now, max = o.LockoutAttempts, lockedUntil = now + Duration.FromMinutes(o.LockoutMinutes),
        }, cancellationToken: cancellationToken));
        if (reserved is null)
        {
            if (await LockedUntilAsync(connection, name, now, cancellationToken) is { } locked)
            {
                return new SignInResult(null, Locked(locked, now), locked);
            }

            // Hash anyway, so an unknown name takes as long as a wrong password.
            Hasher.VerifyHashedPassword(null!, DummyHash, password);
            return new SignInResult(null, wrong);
        }

        var verdict = Hasher.VerifyHashedPassword(null!, reserved.Hash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            // The reservation stands as the failure.
            return reserved.LockedUntil is { } l && l > now
                ? new SignInResult(null, Locked(l, now), l)
                : new SignInResult(null, wrong);
        }

        if (reserved.Disabled)
        {
            return new SignInResult(null, "This account is disabled; ask an admin.");
        }

        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(null!, password) : null;
        if (await connection.ExecuteAsync(new CommandDefinition(SucceedSql, new { name, now, rehash, attempt = reserved.Attempt },
                cancellationToken: cancellationToken)) == 0)
        {
            var locked = await LockedUntilAsync(connection, name, now, cancellationToken) ?? now + Duration.FromMinutes(o.LockoutMinutes);
            return new SignInResult(null, Locked(locked, now), locked);
        }

        return new SignInResult(await FindAsync(name, cancellationToken), null);
    }

    private static async Task<Instant?> LockedUntilAsync(NpgsqlConnection connection, string name, Instant now, CancellationToken cancellationToken)
    {
        var lockedUntil = await connection.QuerySingleOrDefaultAsync<Instant?>(new CommandDefinition(
            "select locked_until from dashboard_users where name = @name", new { name }, cancellationToken: cancellationToken));
        return lockedUntil is { } l && l > now ? l : null;
    }

    private static readonly string DummyHash = Hasher.HashPassword(null!, Guid.NewGuid().ToString());

    private string Locked(Instant until, Instant now) =>
        $"Too many failed sign-ins: this account is locked for {Math.Max(1, (int)Math.Ceiling((until - now).TotalMinutes))} more minute(s) (after {options.Value.LockoutAttempts} failures).";

    /// <summary>Adds a user; false when the name is taken. Validate name, role and password first.</summary>
    public async Task<bool> AddAsync(string name, string password, string role, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            insert into dashboard_users (name, password_hash, role, created_at, updated_at)
            values (@name, @hash, @role, @now, @now)
            on conflict (name) do nothing
            """, new { name, hash = Hasher.HashPassword(null!, password), role, now }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Changes role and/or disabled flag; an unlocked account also forgets its failures when enabled.</summary>
    public async Task<bool> UpdateAsync(string name, string role, bool disabled, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            update dashboard_users set role = @role, disabled = @disabled, updated_at = @now,
                failed_attempts = case when @disabled then failed_attempts else 0 end,
                locked_until = case when @disabled then locked_until else null end
            where name = @name
            """, new { name, role, disabled, now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Creates the user <c>admin</c> with <paramref name="password"/> when no enabled admin exists.
    /// An existing <c>admin</c> row (disabled, or demoted) is restored to an enabled admin with that
    /// password, so a lost last admin can always be recovered through configuration. True when it wrote.
    /// </summary>
    public async Task<bool> EnsureAdminAsync(string password, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            insert into dashboard_users (name, password_hash, role, created_at, updated_at)
            select 'admin', @hash, 'admin', @now, @now
            where not exists (select 1 from dashboard_users where role = 'admin' and not disabled)
            on conflict (name) do update set password_hash = excluded.password_hash, role = 'admin', disabled = false,
                failed_attempts = 0, locked_until = null, updated_at = excluded.updated_at
            """, new { hash = Hasher.HashPassword(null!, password), now }, cancellationToken: cancellationToken)) == 1;
    }

    private sealed record Reservation(string Hash, bool Disabled, int Attempt, Instant? LockedUntil);
}
