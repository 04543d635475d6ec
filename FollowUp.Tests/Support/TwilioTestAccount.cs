using System.Net;
using System.Text;
using System.Text.Json;

namespace FollowUp.Tests.Support;

/// <summary>
/// The Twilio account the HTTP tests configure against a <see cref="FakeTwilioServer"/>, and the app's
/// side of the conversation: signed callbacks into our webhooks, ad-hoc sends through the API.
/// </summary>
public static class TwilioTestAccount
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "twilio-test-auth-token";
    public const string PublicBase = "https://followup.example";

    /// <summary>The account's default sender (clients without <c>sms_from</c> send from it).</summary>
    public const string DefaultFrom = "+12125550199";

    /// <summary>The app's settings for this account, sending to <paramref name="twilio"/>.</summary>
    public static Dictionary<string, string?> Settings(FakeTwilioServer twilio) => new()
    {
        ["FollowUp:Twilio:AccountSid"] = AccountSid,
        ["FollowUp:Twilio:AuthToken"] = AuthToken,
        ["FollowUp:Twilio:From"] = DefaultFrom,
        ["FollowUp:Twilio:BaseUrl"] = twilio.BaseUrl.ToString(),
        ["FollowUp:PublicBaseUrl"] = PublicBase,
    };

    /// <summary>POSTs <paramref name="form"/> to one of our Twilio webhooks as Twilio would, signed with <paramref name="token"/>, without an API key.</summary>
    public static async Task<HttpResponseMessage> PostSignedAsync(this ApiHost api, string path, Dictionary<string, string> form, string token = AuthToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSigner.Sign(token, PublicBase + path, form));
        using var anonymous = api.Factory.CreateClient();
        return await anonymous.SendAsync(request);
    }

    /// <summary>An ad-hoc SMS from acme-dental through <c>POST /api/messages</c>; its id.</summary>
    public static async Task<long> PostSmsAsync(this ApiHost api, string to, string body)
    {
        ArgumentNullException.ThrowIfNull(api);
        var response = await api.Client.PostAsync(new Uri("/api/messages", UriKind.Relative), new StringContent(
            JsonSerializer.Serialize(new { client_id = "acme-dental", channel = "sms", to, body }), Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Waits until <c>GET /api/messages/{id}</c> says <paramref name="status"/>; the message as it then reads.</summary>
    public static Task<JsonElement> WaitForStatusAsync(this ApiHost api, long id, string status)
    {
        ArgumentNullException.ThrowIfNull(api);
        return Eventually.WaitForAsync(async () =>
            JsonDocument.Parse(await api.Client.GetStringAsync(new Uri($"/api/messages/{id}", UriKind.Relative))).RootElement.Clone(),
            m => m.GetProperty("status").GetString() == status, what: $"message {id} to be {status}");
    }
}
