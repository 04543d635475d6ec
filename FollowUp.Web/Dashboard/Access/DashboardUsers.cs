using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Access;

/// <summary>
/// Dashboard users in <c>dashboard_users</c>: passwords hashed with ASP.NET Core's
/// <see cref="PasswordHasher{TUser}"/>; failed sign-ins throttled per user name and client address
/// (<see cref="DashboardOptions.LockoutAttempts"/> in a row block that address for that name for
/// <see cref="DashboardOptions.LockoutMinutes"/>), so a stranger's guesses slow the stranger and never
/// lock the owner out from the owner's own address. Each attempt is counted before its password is
/// checked, so parallel guesses cannot slip past the limit, and a right password cannot clear a block set
/// while it was being checked. Each user has a security stamp that every session carries: changing it
/// ends every session of that user on every node.
/// </summary>
internal sealed partial class DashboardUsers(NpgsqlDataSource dataSource, IOptions<DashboardOptions> options, IClock clock)
{
    public const int MinPasswordLength = 12;

    /// <summary>The one answer to a wrong password and to a name that does not exist.</summary>
    public const string WrongNameOrPassword = "Wrong user name or password.";

    private static readonly PasswordHasher<DashboardUser> Hasher = new();

    private const string Columns = "name, role, disabled, security_stamp, created_at, updated_at";

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

    // Reserves one attempt for (name, address) before the password is checked: counted as a failure
    // until proven right, so N parallel guesses cannot all be checked where N-1 of them should block.
    // The attempt that brings the count to the limit sets the block itself; while blocked, nothing is
    // reserved (and so nothing is checked). Postgres re-evaluates the WHERE of a concurrent upsert's
    // update against the row it waited for, so the limit holds under any concurrency. A block that has
    // run out starts a fresh count. The name need not exist: an unknown name is throttled exactly like
    // a known one, so neither the answer nor the block tells which names exist.
    private const string ReserveSql = """
        insert into dashboard_sign_in_throttles as t (name, address, failures, blocked_until, last_failed_at)
        values (@name, @address, 1, case when 1 >= @max then @blockedUntil end, @now)
        on conflict (name, address) do update set
            failures = (case when t.blocked_until is null then t.failures else 0 end) + 1,
            blocked_until = case when (case when t.blocked_until is null then t.failures else 0 end) + 1 >= @max
                then @blockedUntil end,
            last_failed_at = @now
        where t.blocked_until is null or t.blocked_until <= @now
        returning failures as attempt, blocked_until
        """;

    // A right password forgets this address's failures for the name, unless another attempt has set a
    // block since this one was reserved (the one that set it may still succeed: it was within the
    // limit). Checkpoint: without this guard a right guess racing wrong ones would clear their block.
    private const string SucceedSql = """
        delete from dashboard_sign_in_throttles
        where name = @name and address = @address and (blocked_until is null or blocked_until <= @now or failures = @attempt)
        """;

    /// <summary>
    /// Checks a name and password from <paramref name="address"/> (the client's address). An attempt is
    /// reserved (counted) for that name and address before the password is looked at, and a blocked
    /// pair is refused without looking at it; an unknown name gets the same answers as a known one
    /// (wrong, then blocked after as many attempts); a disabled account is named as such only to someone
    /// who knew its password.
    /// </summary>
    public async Task<SignInResult> SignInAsync(string name, string password, string address, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var o = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var reserved = await connection.QuerySingleOrDefaultAsync<Reservation>(new CommandDefinition(ReserveSql, new
        {
            name, address, now, max = o.LockoutAttempts, blockedUntil = now + Duration.FromMinutes(o.LockoutMinutes),
        }, cancellationToken: cancellationToken));
        if (reserved is null)
        {
            var until = await BlockedUntilAsync(connection, name, address, now, cancellationToken) ?? now + Duration.FromMinutes(o.LockoutMinutes);
            return new SignInResult(null, Locked(until, now), until);
        }

        var account = await connection.QuerySingleOrDefaultAsync<Account>(new CommandDefinition(
            "select password_hash as hash, disabled from dashboard_users where name = @name", new { name }, cancellationToken: cancellationToken));
        // An unknown name is hashed anyway, so it takes as long as a wrong password.
        var verdict = Hasher.VerifyHashedPassword(null!, account?.Hash ?? DummyHash, password);
        if (account is null || verdict == PasswordVerificationResult.Failed)
        {
            // The reservation stands as the failure.
            return reserved.BlockedUntil is { } b && b > now
                ? new SignInResult(null, Locked(b, now), b)
                : new SignInResult(null, WrongNameOrPassword);
        }

        if (account.Disabled)
        {
            return new SignInResult(null, "This account is disabled; ask an admin.");
        }

        if (await connection.ExecuteAsync(new CommandDefinition(SucceedSql, new { name, address, now, attempt = reserved.Attempt },
                cancellationToken: cancellationToken)) == 0)
        {
            var until = await BlockedUntilAsync(connection, name, address, now, cancellationToken) ?? now + Duration.FromMinutes(o.LockoutMinutes);
            return new SignInResult(null, Locked(until, now), until);
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update dashboard_users set password_hash = @hash where name = @name",
                new { name, hash = Hasher.HashPassword(null!, password) }, cancellationToken: cancellationToken));
        }

        return new SignInResult(await FindAsync(name, cancellationToken), null);
    }

    private static async Task<Instant?> BlockedUntilAsync(NpgsqlConnection connection, string name, string address, Instant now,
        CancellationToken cancellationToken)
    {
        var blockedUntil = await connection.QuerySingleOrDefaultAsync<Instant?>(new CommandDefinition(
            "select blocked_until from dashboard_sign_in_throttles where name = @name and address = @address",
            new { name, address }, cancellationToken: cancellationToken));
        return blockedUntil is { } b && b > now ? b : null;
    }

    private static readonly string DummyHash = Hasher.HashPassword(null!, Guid.NewGuid().ToString());

    private string Locked(Instant until, Instant now) =>
        $"Too many failed sign-ins: this account is locked for {Math.Max(1, (int)Math.Ceiling((until - now).TotalMinutes))} more minute(s) " +
        $"(after {options.Value.LockoutAttempts} failures) for sign-ins from your address.";

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

    // A changed role or disabled flag takes a new stamp: the user's sessions end everywhere, and the
    // next sign-in carries the new role (SET reads the row's old values, so the comparison is with them).
    private const string UpdateSql = """
        update dashboard_users set role = @role, disabled = @disabled, updated_at = @now,
            security_stamp = case when role <> @role or disabled <> @disabled then gen_random_uuid() else security_stamp end
        where name = @name
        """;

    /// <summary>Changes role and/or disabled flag; either change ends every session of the user.</summary>
    public async Task<bool> UpdateAsync(string name, string role, bool disabled, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(UpdateSql,
            new { name, role, disabled, now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken)) == 1;
    }

    private const string SetPasswordSql = """
        update dashboard_users set password_hash = @hash, security_stamp = gen_random_uuid(), updated_at = @now where name = @name
        """;

    /// <summary>Sets a new password (validate it first) and ends every session of the user; false when there is no such user.</summary>
    public async Task<bool> SetPasswordAsync(string name, string password, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(SetPasswordSql,
            new { name, hash = Hasher.HashPassword(null!, password), now = clock.GetCurrentInstant() }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Ends every session of the user, on every node (sign-out does this: a stolen copy of the cookie
    /// dies with the one signed out). Only the stamp changes.
    /// </summary>
    public async Task EndSessionsAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update dashboard_users set security_stamp = gen_random_uuid() where name = @name", new { name }, cancellationToken: cancellationToken));
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
                security_stamp = gen_random_uuid(), updated_at = excluded.updated_at
            """, new { hash = Hasher.HashPassword(null!, password), now }, cancellationToken: cancellationToken)) == 1;
    }

    private sealed record Reservation(int Attempt, Instant? BlockedUntil);

    private sealed record Account(string Hash, bool Disabled);
}
