using System.Net;
using System.Text.RegularExpressions;
using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// Sessions end when they should, on every node: a sign-out anywhere, a role change, and the absolute
/// lifetime; a cookie issued by one node is accepted by another (one key ring in the database).
/// </summary>
public sealed partial class DashboardSessionTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [Test]
    public async Task SignOut_OnOneNode_EndsTheUsersOtherSessions_OnEveryNode()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var first = DashboardHost.Start(db);
        await using var second = DashboardHost.Start(db);
        await first.AddUserAsync("otto", "operator-password-1", DashboardRoles.Operator);
        using var laptop = DashboardClient.For(first.BaseAddress);
        using var phone = DashboardClient.For(second.BaseAddress);
        Assert.That((await laptop.SignInAsync("otto", "operator-password-1")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That((await phone.SignInAsync("otto", "operator-password-1")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        using var laptopCookieOnTheOtherNode = await GetAsync(second, "/dashboard", CookieOf(laptop, first));
        var phoneBefore = await phone.Http.GetAsync(new Uri("/dashboard", UriKind.Relative));

        var signOut = await SignOutAsync(laptop);
        var phoneAfter = await phone.Http.GetAsync(new Uri("/dashboard", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(laptopCookieOnTheOtherNode.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a cookie from one node is good on another");
            Assert.That(phoneBefore.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(signOut.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(phoneAfter.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the other session, on the other node, has ended");
            Assert.That(phoneAfter.Headers.Location?.ToString(), Does.Contain("/dashboard/login"));
        });
    }

    [Test]
    public async Task RoleChange_EndsTheUsersSessions()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = DashboardHost.Start(db);
        await host.AddUserAsync("otto", "operator-password-1", DashboardRoles.Operator);
        using var otto = DashboardClient.For(host.BaseAddress);
        await otto.SignInAsync("otto", "operator-password-1");
        var before = await otto.Http.GetAsync(new Uri("/dashboard", UriKind.Relative));

        await host.Services.GetRequiredService<DashboardUsers>().UpdateAsync("otto", DashboardRoles.Viewer, disabled: false, CancellationToken.None);
        var after = await otto.Http.GetAsync(new Uri("/dashboard", UriKind.Relative));
        var again = await otto.SignInAsync("otto", "operator-password-1");
        var page = await otto.Http.GetStringAsync(new Uri("/dashboard", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "a new role means a new sign-in");
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(page, Does.Contain("otto (viewer)"));
        });
    }

    [Test]
    public async Task SetPassword_EndsTheUsersSessions_TheNewPasswordSignsIn()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = DashboardHost.Start(db);
        await host.AddUserAsync("otto", "operator-password-1", DashboardRoles.Operator);
        using var otto = DashboardClient.For(host.BaseAddress);
        await otto.SignInAsync("otto", "operator-password-1");

        await host.Services.GetRequiredService<DashboardUsers>().SetPasswordAsync("otto", "operator-password-2", CancellationToken.None);
        var after = await otto.Http.GetAsync(new Uri("/dashboard", UriKind.Relative));
        using var fresh = DashboardClient.For(host.BaseAddress);
        var old = await fresh.SignInAsync("otto", "operator-password-1");
        var renewed = await fresh.SignInAsync("otto", "operator-password-2");

        Assert.Multiple(() =>
        {
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(renewed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        });
    }

    [Test]
    public async Task Session_PastItsAbsoluteLifetime_Ends_EvenWhileActive()
    {
        await using var db = await TestDatabase.CreateAsync();
        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        await using var host = DashboardHost.Start(db, new() { ["FollowUp:Dashboard:AbsoluteSessionHours"] = "2" },
            s => s.AddSingleton<IClock>(clock));
        using var admin = DashboardClient.For(host.BaseAddress);
        await admin.SignInAsync("admin", DashboardHost.AdminPassword);

        clock.Advance(Duration.FromHours(2) - Duration.FromMinutes(1));
        var within = await admin.Http.GetAsync(new Uri("/dashboard", UriKind.Relative));
        clock.Advance(Duration.FromMinutes(2));
        var past = await admin.Http.GetAsync(new Uri("/dashboard", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(within.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(past.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "two hours after the sign-in, however active");
            Assert.That(past.Headers.Location?.ToString(), Does.Contain("/dashboard/login"));
        });
    }

    [TestCase("0", "FollowUp:Dashboard:AbsoluteSessionHours must be between 1 and 720 (was 0).")]
    [TestCase("1", "FollowUp:Dashboard:AbsoluteSessionHours (1 h) must be at least FollowUp:Dashboard:IdleMinutes (90 min).")]
    public async Task AbsoluteSessionHours_Invalid_StopsStartUp_NamingTheKey(string hours, string message)
    {
        await using var db = await TestDatabase.CreateAsync();

        var ex = Assert.Throws<OptionsValidationException>(() => ApiHost.Start(db, new()
        {
            ["FollowUp:Dashboard:AbsoluteSessionHours"] = hours, ["FollowUp:Dashboard:IdleMinutes"] = "90",
        }));

        Assert.That(ex!.Message, Does.Contain(message));
    }

    private static string CookieOf(DashboardClient client, DashboardHost host) => client.Cookies.GetCookieHeader(host.BaseAddress);

    private static async Task<HttpResponseMessage> GetAsync(DashboardHost host, string path, string cookie)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SignOutAsync(DashboardClient client)
    {
        var page = await client.Http.GetStringAsync(new Uri("/dashboard", UriKind.Relative));
        var token = TokenField().Match(page).Groups[1].Value;
        Assert.That(token, Is.Not.Empty, "the page carries the sign-out form's token");
        using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        return await client.Http.PostAsync(new Uri("/dashboard/logout", UriKind.Relative), body);
    }
}
