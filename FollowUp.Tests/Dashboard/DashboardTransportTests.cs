using System.Net;
using FollowUp.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// Over HTTP: the sign-in rate limit per client address, Secure cookies, and forwarded headers believed
/// from configured proxies only (HSTS is the visible sign that a request counted as HTTPS).
/// </summary>
public sealed class DashboardTransportTests
{
    [Test]
    public async Task LoginPost_BeyondTheLimitFromOneAddress_429WithAClearMessage_FormStillServed()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = DashboardHost.Start(db, new()
        {
            ["FollowUp:Dashboard:LoginRequestsPerWindow"] = "3", ["FollowUp:Dashboard:LoginWindowSeconds"] = "600",
        });
        using var client = DashboardClient.For(host.BaseAddress);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.SignInAsync($"user-{i}", "not-the-password");
            statuses.Add(wrong.StatusCode);
        }

        using var limited = await client.SignInAsync("admin", DashboardHost.AdminPassword);
        using var form = await client.Http.GetAsync(new Uri("/dashboard/login", UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(await limited.Content.ReadAsStringAsync(), Is.EqualTo(
                "Too many sign-in attempts from your address: at most 3 in 600 s. Try again in 600 s."));
            Assert.That(limited.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(600)));
            Assert.That(form.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the form is never limited");
        });
    }

    [Test]
    public async Task Login_DefaultSettingsOverHttps_SessionAndAntiforgeryCookiesAreSecure()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = ApiHost.Start(db, new() { ["FollowUp:Dashboard:AdminPassword"] = DashboardHost.AdminPassword });
        using var http = host.Factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false,
        });

        using var form = await http.GetAsync(new Uri("/dashboard/login", UriKind.Relative));
        var token = System.Text.RegularExpressions.Regex.Match(await form.Content.ReadAsStringAsync(),
            "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var body = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "admin", ["password"] = DashboardHost.AdminPassword, ["__RequestVerificationToken"] = token,
        });
        using var signedIn = await http.PostAsync(new Uri("/dashboard/login", UriKind.Relative), body);

        Assert.Multiple(() =>
        {
            Assert.That(Cookie(form, "followup.antiforgery"), Does.Contain("secure"));
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(Cookie(signedIn, "followup.dashboard"), Does.Contain("secure").And.Contain("httponly").And.Contain("samesite=strict"));
        });
    }

    [Test]
    public async Task Dashboard_DefaultSettingsOverPlainHttp_RefusedSayingWhy()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = ApiHost.Start(db);

        using var response = await host.Client.GetAsync(new Uri("/dashboard/login", UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("FollowUp:ForwardedHeaders:KnownProxies"));
            Assert.That(response.Headers.Contains("Set-Cookie"), Is.False, "no cookie ever goes out without Secure");
        });
    }

    [Test]
    public async Task Request_FromAConfiguredProxyWithForwardedHttps_TreatedAsHttps()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = DashboardHost.Start(db, new() { ["FollowUp:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" });

        using var response = await ProxiedLoginFormAsync(host);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.TryGetValues("Strict-Transport-Security", out var hsts), Is.True, "HSTS on HTTPS");
            Assert.That(hsts, Has.Some.StartsWith("max-age="));
            // Even with the local-development exception on, a cookie issued over HTTPS is Secure.
            Assert.That(Cookie(response, "followup.antiforgery"), Does.Contain("secure"));
        });
    }

    [Test]
    public async Task Request_FromAnUnknownAddressWithForwardedHttps_NotTreatedAsHttps()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var host = DashboardHost.Start(db, new() { ["FollowUp:ForwardedHeaders:KnownProxies:0"] = "192.0.2.10" });

        using var response = await ProxiedLoginFormAsync(host);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.Contains("Strict-Transport-Security"), Is.False);
            Assert.That(Cookie(response, "followup.antiforgery"), Does.Not.Contain("secure"));
        });
    }

    [Test]
    public async Task KnownProxyThatIsNotAnAddress_StopsStartUp_NamingTheKey()
    {
        await using var db = await TestDatabase.CreateAsync();

        var ex = Assert.Throws<OptionsValidationException>(() => ApiHost.Start(db, new()
        {
            ["FollowUp:ForwardedHeaders:KnownProxies:0"] = "proxy.internal",
        }));

        Assert.That(ex!.Message, Does.Contain("FollowUp:ForwardedHeaders:KnownProxies:0 must be an IP address, not 'proxy.internal'."));
    }

    /// <summary>The sign-in form as a TLS-terminating proxy would ask for it (HSTS is never sent for localhost, hence the host name).</summary>
    private static async Task<HttpResponseMessage> ProxiedLoginFormAsync(DashboardHost host)
    {
        using var client = DashboardClient.For(host.BaseAddress);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/login");
        request.Headers.Host = "followup.example";
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        return await client.Http.SendAsync(request);
    }

    private static string Cookie(HttpResponseMessage response, string name) =>
        (response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            .FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal))?.ToLowerInvariant()
        ?? throw new AssertionException($"no {name} cookie in the response");
}
