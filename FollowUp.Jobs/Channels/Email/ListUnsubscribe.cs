namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// The unsubscribe headers of a marketing email, the same for every provider. With a one-click link
/// (RFC 8058): <c>List-Unsubscribe: &lt;https://…&gt;</c> and <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>,
/// so Gmail, Yahoo and Outlook show their unsubscribe button and POST the link themselves. Without one
/// (no https <c>FollowUp:PublicBaseUrl</c>) only the RFC 2369 mailto form, which writes to the sender's
/// mailbox, and no Post header (RFC 8058 allows it only beside an https URI). Transactional email gets none.
/// </summary>
internal static class ListUnsubscribe
{
    public const string Header = "List-Unsubscribe";

    public const string PostHeader = "List-Unsubscribe-Post";

    /// <summary>The one value RFC 8058 defines for <see cref="PostHeader"/>, and the body the POST carries.</summary>
    public const string OneClick = "List-Unsubscribe=One-Click";

    /// <summary>The headers for <paramref name="request"/>, sent from <paramref name="fromAddress"/> (a bare address).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers(EmailRequest request, string fromAddress)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Marketing)
        {
            return [];
        }

        return request.UnsubscribeUrl is { } url
            ? [new(Header, $"<{url.AbsoluteUri}>"), new(PostHeader, OneClick)]
            : [new(Header, $"<mailto:{fromAddress}?subject=unsubscribe>")];
    }
}
