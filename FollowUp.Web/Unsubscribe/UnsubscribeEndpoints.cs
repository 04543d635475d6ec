using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Messages;
using FollowUp.Web.Webhooks;
using Microsoft.Net.Http.Headers;
using NodaTime.Text;

namespace FollowUp.Web.Unsubscribe;

/// <summary>
/// The one-click unsubscribe link of marketing email (RFC 8058; the link is <see cref="UnsubscribeLinks"/>'s).
/// No login and no anti-forgery token: a mailbox provider POSTs the link on the recipient's behalf, and
/// the signed token is the authority. GET never unsubscribes (mail scanners and link previews follow
/// links): it shows a page whose button POSTs the same link.
/// </summary>
internal static class UnsubscribeEndpoints
{
    /// <summary>What the suppression row says about where it came from.</summary>
    public const string Reason = "unsubscribe link";

    public static IEndpointRouteBuilder MapUnsubscribe(this IEndpointRouteBuilder app)
    {
        // GET  /unsubscribe/{token}  200 a confirmation page with a button (nothing written); 400 invalid link, 410 expired
        // POST /unsubscribe/{token}  200 suppressed (empty body; the page for a browser); 400 invalid, 410 expired, nothing written
        // Refusals are an HTML page for a browser (Accept: text/html) and a problem document for anything else.
        var links = app.MapGroup(UnsubscribeLinks.PathPrefix.TrimEnd('/'))
            .ExcludeFromDescription() // a recipient's page, not the integrators' API
            .RequireRateLimiting(WebhookLimitServiceCollectionExtensions.ProviderPolicy);
        links.MapGet("/{token}", Confirm);
        links.MapPost("/{token}", Unsubscribe);
        return app;
    }

    private static async Task<IResult> Confirm(string token, HttpContext context, UnsubscribeLinks unsubscribeLinks, ClientStore clients,
        CancellationToken cancellationToken)
    {
        var read = unsubscribeLinks.Read(token);
        if (read.Status != UnsubscribeTokenStatus.Valid)
        {
            return Refusal(context, read);
        }

        var client = await clients.FindAsync(read.ClientId!, cancellationToken);
        return client is null
            ? Refusal(context, read with { Status = UnsubscribeTokenStatus.Expired })
            : UnsubscribePage.Confirm(client.Name, read.Address!);
    }

    private static async Task<IResult> Unsubscribe(string token, HttpContext context, UnsubscribeLinks unsubscribeLinks, ClientStore clients,
        Suppressions suppressions, CancellationToken cancellationToken)
    {
        var read = unsubscribeLinks.Read(token);
        if (read.Status != UnsubscribeTokenStatus.Valid)
        {
            return Refusal(context, read);
        }

        var client = await clients.FindAsync(read.ClientId!, cancellationToken);
        if (client is null)
        {
            return Refusal(context, read with { Status = UnsubscribeTokenStatus.Expired });
        }

        // The body (List-Unsubscribe=One-Click from a mailbox provider, the same from the page's button) is
        // not read: the token alone decides, and a repeated POST suppresses again, which changes nothing.
        await suppressions.SuppressAsync([read.ClientId!], Channel.Email, read.Address!, Reason, cancellationToken);
        return WantsHtml(context) ? UnsubscribePage.Done(client.Name, read.Address!) : TypedResults.Ok();
    }

    private static IResult Refusal(HttpContext context, UnsubscribeToken read)
    {
        var expired = read.Status == UnsubscribeTokenStatus.Expired;
        if (WantsHtml(context))
        {
            return UnsubscribePage.Refused(expired);
        }

        var errors = new Dictionary<string, string[]>
        {
            ["token"] = [expired
                ? $"The link expired at {InstantPattern.General.Format(read.ExpiresAt!.Value)}."
                : "The link is not one FollowUp made, or it was changed."],
        };
        return expired
            ? TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Unsubscribe link expired",
                detail: "This link no longer works; nothing was changed.", extensions: new Dictionary<string, object?> { ["errors"] = errors })
            : TypedResults.ValidationProblem(errors, title: "Invalid unsubscribe link", detail: "Nothing was changed.");
    }

    private static bool WantsHtml(HttpContext context) =>
        context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
}
