using System.Text.Encodings.Web;

namespace FollowUp.Web.Unsubscribe;

/// <summary>
/// The small pages a recipient sees behind an unsubscribe link: every value HTML-encoded, no script, no
/// external resource, and headers that keep the link (a capability) out of referrers, caches and frames.
/// </summary>
internal static class UnsubscribePage
{
    // The link itself is the page's URL: an <form> without action posts back to it.
    private const string SecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}" +
        "button{font-size:1rem;padding:.5rem 1.25rem;border:0;border-radius:.25rem;background:#b3261e;color:#fff;cursor:pointer}";

    /// <summary>200: what the button will do, and the button (a POST to this same link).</summary>
    public static IResult Confirm(string clientName, string address) => Page(StatusCodes.Status200OK, "Unsubscribe",
        $"<h1>Unsubscribe</h1><p>Stop email from <strong>{E(clientName)}</strong> to <strong>{E(address)}</strong>?</p>" +
        "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">" +
        "<button type=\"submit\">Unsubscribe</button></form>");

    /// <summary>200: done.</summary>
    public static IResult Done(string clientName, string address) => Page(StatusCodes.Status200OK, "Unsubscribed",
        $"<h1>Unsubscribed</h1><p><strong>{E(address)}</strong> will get no more email from <strong>{E(clientName)}</strong>.</p>");

    /// <summary>410 (expired) or 400 (not a link of ours), saying nothing was changed.</summary>
    public static IResult Refused(bool expired) => expired
        ? Page(StatusCodes.Status410Gone, "Link expired",
            "<h1>This link has expired</h1><p>Nothing was changed. Use the unsubscribe link in a more recent email, or reply to the sender.</p>")
        : Page(StatusCodes.Status400BadRequest, "Invalid link",
            "<h1>This link is not valid</h1><p>Nothing was changed. It may have been cut short or altered: open it again from the email.</p>");

    private static string E(string value) => HtmlEncoder.Default.Encode(value);

    private static HtmlResult Page(int status, string title, string body) => new HtmlResult(status,
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
        $"<meta name=\"robots\" content=\"noindex\"><title>{E(title)}</title><style>{Style}</style></head><body><main>{body}</main></body></html>");

    private sealed class HtmlResult(int status, string html) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.ContentSecurityPolicy = SecurityPolicy;
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.CacheControl = "no-store";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers["X-Robots-Tag"] = "noindex";
            return response.WriteAsync(html, httpContext.RequestAborted);
        }
    }
}
