using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.Access;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Dashboard;

/// <summary>The sign-in store's lockout under concurrency, on a real database.</summary>
public sealed class DashboardUsersTests
{
    private const string Password = "lucy-password-0123";

    [Test]
    public async Task SignInAsync_TwentyConcurrentWrongGuessesThenTheRightOne_OnlyFiveCheckedAndStillLocked()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = ApiHost.Start(db);
        var users = host.Services.GetRequiredService<DashboardUsers>();
        await users.AddAsync("lucy", Password, DashboardRoles.Operator, CancellationToken.None);

        var guesses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => Task.Run(() => users.SignInAsync("lucy", $"wrong-guess-{i}", CancellationToken.None))));
        var right = await users.SignInAsync("lucy", Password, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            // Before the fix all 20 read the row unlocked and got their password checked: 19 were told
            // "wrong" (so an attacker learned 19 passwords were wrong), and only one saw the lock.
            Assert.That(guesses.Count(g => g.Error == "Wrong user name or password."), Is.EqualTo(4),
                "the first four are checked and wrong; the fifth locks; the rest are refused unchecked");
            Assert.That(guesses.Count(g => g.LockedUntil is not null), Is.EqualTo(16));
            Assert.That(right.Succeeded, Is.False);
            Assert.That(right.Error, Does.StartWith("Too many failed sign-ins: this account is locked"));
            Assert.That(await db.ScalarAsync<bool>("select locked_until > now() from dashboard_users where name = 'lucy'"), Is.True);
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
            await users.SignInAsync("lucy", $"wrong-guess-{i}", CancellationToken.None);
        }

        var right = await users.SignInAsync("lucy", Password, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(right.Succeeded, Is.True, right.Error);
            Assert.That(right.User!.FailedAttempts, Is.Zero);
            Assert.That(right.User.LockedUntil, Is.Null);
        });
    }
}
