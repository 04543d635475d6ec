using System.Web;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>Twilio's callbacks are <c>application/x-www-form-urlencoded</c>; this reads one from its raw body.</summary>
public static class TwilioForm
{
    /// <summary>The fields, decoded; a repeated key's values are joined with commas (as ASP.NET Core's form reader does).</summary>
    public static Dictionary<string, string> Parse(string rawBody)
    {
        var parsed = HttpUtility.ParseQueryString(rawBody ?? "");
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in parsed.AllKeys)
        {
            if (key is not null)
            {
                form[key] = parsed[key] ?? "";
            }
        }

        return form;
    }
}
