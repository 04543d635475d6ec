using System.Net;
using FollowUp.Tests.Support;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// Failed sign-ins slow the address that makes them, for that name, and nobody else: a stranger cannot
/// lock the owner out, and an unknown name gets the same answers as a known one. The app sits behind a
/// configured proxy (127.0.0.1), so each request's client address is its X-Forwarded-For.
/// </summary>
public sealed class DashboardSignInThrottleTests
{
    private const string Stranger = "198.51.100.66";
    private const string Owner = "203.0.113.10";

    [Test]
    public async Task Login_StrangerFailsFiveTimes_BlockedFromItsAddress_TheOwnerFromTheirsStillSignsIn()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = StartBehindProxy(db);
        var strangerAnswers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            strangerAnswers.Add(await ErrorOfAsync(host, Stranger, "admin", $"wrong-guess-{i}"));
        }

        var strangerRight = await ErrorOfAsync(host, Stranger, "admin", DashboardHost.AdminPassword);
        using var owner = await SignInFromAsync(host, Owner, "admin", DashboardHost.AdminPassword);

        Assert.Multiple(() =>
        {
            Assert.That(strangerAnswers.Take(4), Is.All.EqualTo("Wrong user name or password."));
            Assert.That(strangerAnswers.Skip(4), Is.All.Contains("locked for 15 more minute(s) (after 5 failures)"));
            Assert.That(strangerRight, Does.Contain("locked for 15 more minute(s)"), "blocked from that address even with the right password");
            Assert.That(owner.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the owner, from their own address, is not locked out");
            Assert.That(owner.Headers.Location?.ToString(), Is.EqualTo("/dashboard"));
        });
    }

    [Test]
    public async Task Login_UnknownName_GetsTheSameAnswersAsAKnownOne()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = StartBehindProxy(db);
        var known = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            known.Add(await ErrorOfAsync(host, Stranger, "admin", $"wrong-guess-{i}"));
            unknown.Add(await ErrorOfAsync(host, Stranger, "no-such-user", $"wrong-guess-{i}"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(unknown, Is.EqualTo(known), "the answers never tell which names exist");
            Assert.That(unknown[^1], Does.StartWith("Too many failed sign-ins"));
        });
    }

    private static DashboardHost StartBehindProxy(TestDatabase db) => DashboardHost.Start(db, new()
    {
        ["FollowUp:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        // The per-address request limit is not what these tests are about.
        ["FollowUp:Dashboard:LoginRequestsPerWindow"] = "1000",
    });

    /// <summary>Posts the sign-in form as a browser at <paramref name="address"/> behind the proxy would.</summary>
    private static async Task<HttpResponseMessage> SignInFromAsync(DashboardHost host, string address, string name, string password)
    {
        var client = DashboardClient.For(host.BaseAddress);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        try
        {
            return await client.SignInAsync(name, password);
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task<string> ErrorOfAsync(DashboardHost host, string address, string name, string password)
    {
        using var response = await SignInFromAsync(host, address, name, password);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var page = await response.Content.ReadAsStringAsync();
        var start = page.IndexOf("role=\"alert\">", StringComparison.Ordinal) + "role=\"alert\">".Length;
        return WebUtility.HtmlDecode(page[start..page.IndexOf("</p>", start, StringComparison.Ordinal)]);
    }
}
