using System.Net;
using System.Text.RegularExpressions;

namespace FollowUp.Tests.Support;

/// <summary>
/// A plain HTTP client of the dashboard with its own cookie jar and no redirects followed: reads the
/// sign-in form's anti-forgery token and posts the form as a browser would.
/// </summary>
public sealed partial class DashboardClient : IDisposable
{
    private DashboardClient(HttpClient http, CookieContainer cookies)
    {
        Http = http;
        Cookies = cookies;
    }

    public HttpClient Http { get; }

    /// <summary>The cookie jar (the session cookie after a sign-in).</summary>
    public CookieContainer Cookies { get; }

    public static DashboardClient For(Uri baseAddress)
    {
        var cookies = new CookieContainer();
        return new(new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress }, cookies);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    /// <summary>GETs the sign-in form, then POSTs it; the response as the server gave it (302 on success).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string name, string password)
    {
        var form = await Http.GetStringAsync(new Uri("/dashboard/login", UriKind.Relative));
        var token = TokenField().Match(form).Groups[1].Value;
        using var body = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = name, ["password"] = password, ["__RequestVerificationToken"] = token,
        });
        return await Http.PostAsync(new Uri("/dashboard/login", UriKind.Relative), body);
    }

    public void Dispose() => Http.Dispose();
}
