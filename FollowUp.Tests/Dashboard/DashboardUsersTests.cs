using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.Access;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Dashboard;

/// <summary>The sign-in store's throttle under concurrency, on a real database.</summary>
public sealed class DashboardUsersTests
{
    private const string Password = "lucy-password-0123";

    // Every guess here comes from one client address; DashboardSignInThrottleTests has several.
    private const string Address = "203.0.113.5";

    [Test]
    public async Task SignInAsync_TwentyConcurrentWrongGuessesThenTheRightOne_OnlyFiveCheckedAndStillLocked()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = ApiHost.Start(db);
        var users = host.Services.GetRequiredService<DashboardUsers>();
        await users.AddAsync("lucy", Password, DashboardRoles.Operator, CancellationToken.None);

        var guesses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => Task.Run(() => users.SignInAsync("lucy", $"wrong-guess-{i}", Address, CancellationToken.None))));
        var right = await users.SignInAsync("lucy", Password, Address, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            // Before the fix all 20 read the row unlocked and got their password checked: 19 were told
            // "wrong" (so an attacker learned 19 passwords were wrong), and only one saw the lock.
            Assert.That(guesses.Count(g => g.Error == "Wrong user name or password."), Is.EqualTo(4),
                "the first four are checked and wrong; the fifth locks; the rest are refused unchecked");
            Assert.That(guesses.Count(g => g.LockedUntil is not null), Is.EqualTo(16));
            Assert.That(right.Succeeded, Is.False);
            Assert.That(right.Error, Does.StartWith("Too many failed sign-ins: this account is locked"));
            Assert.That(await db.ScalarAsync<bool>(
                "select blocked_until > now() from dashboard_sign_in_throttles where name = 'lucy' and address = @Address", new { Address }), Is.True);
        });
    }

    [Test]
    public async Task SignInAsync_FourFailuresThenTheRightPassword_SignsInAndForgetsThem()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = ApiHost.Start(db);
        var users = host.Services.GetRequiredService<DashboardUsers>();
        await users.AddAsync("lucy", Password, DashboardRoles.Operator, CancellationToken.None);

        for (var i = 0; i < 4; i++)
        {
            await users.SignInAsync("lucy", $"wrong-guess-{i}", Address, CancellationToken.None);
        }

        var right = await users.SignInAsync("lucy", Password, Address, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(right.Succeeded, Is.True, right.Error);
            Assert.That(await db.ScalarAsync<long>("select count(*) from dashboard_sign_in_throttles where name = 'lucy'"), Is.Zero,
                "the failures are forgotten and nothing is blocked");
        });
    }
}
