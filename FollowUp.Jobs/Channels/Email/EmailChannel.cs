using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// Email: every registered <see cref="IEmailProvider"/> in <c>FollowUp:Email:Providers</c> order
/// (default SMTP, then SendGrid), or the sandbox; the text body with its HTML alternative, our own
/// Message-ID, the kind as category, List-Unsubscribe on marketing kinds (one-click, RFC 8058, with an https
/// <c>FollowUp:PublicBaseUrl</c>: <see cref="UnsubscribeLinks"/>); cost per message.
/// </summary>
internal sealed class EmailChannel : IMessageChannel
{
    private readonly ProviderChain<IEmailProvider> _chain;
    private readonly CostOptions _costs;
    private readonly UnsubscribeLinks _unsubscribe;

    public EmailChannel(
        IEnumerable<IEmailProvider> providers, IOptionsSnapshot<ChannelOptions> order, ProviderRateLimiters limiters,
        IOptions<CostOptions> costs, UnsubscribeLinks unsubscribe, ILogger<EmailChannel> logger, Telemetry.FollowUpMetrics? metrics = null,
        ProviderBreakers? breakers = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        _chain = new ProviderChain<IEmailProvider>(providers, new SandboxEmailProvider(), order.Get(Channel.Email.Name), limiters, logger, Channel.Email, metrics, breakers);
        _costs = costs.Value;
        _unsubscribe = unsubscribe;
    }

    public Channel Channel => Channel.Email;

    // An email address has no zone; the customer's number, when the message has one, does.
    public string? RecipientPhone(OutgoingMessage message) => message.CustomerPhone;

    public IReadOnlyList<string> Providers => [.. _chain.Providers.Select(p => p.Name)];

    public async Task<ChannelReceipt> SendAsync(OutgoingMessage message, Func<string, ProviderSendException, Task> onFailover, CancellationToken cancellationToken,
        IReadOnlySet<string>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Unique per attempt, the message id first: a bounce or a reply names the row it belongs to.
        var messageId = $"{message.Id}.{Guid.NewGuid():N}@followup";
        // A marketing mail's one-click link names its client and recipient; transactional mail has none.
        var unsubscribe = message.Marketing ? _unsubscribe.LinkFor(message.ClientId, message.Recipient) : null;
        var request = new EmailRequest(message.Recipient, message.EmailFrom, message.Subject ?? "", message.Body, HtmlAlternative(message.Body),
            messageId, message.Kind, message.Marketing, unsubscribe);
        var receipt = await _chain.SendAsync((p, ct) => p.SendAsync(request, ct), onFailover, cancellationToken, skip);
        var (cost, currency) = _costs.Charge(receipt, _costs.EmailPerMessage);
        return new ChannelReceipt(receipt, messageId, receipt.Segments, cost, currency);
    }

    /// <summary>The HTML alternative of a plain-text body: encoded, paragraphs and line breaks kept.</summary>
    internal static string HtmlAlternative(string text)
    {
        var paragraphs = text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => "<p>" + System.Net.WebUtility.HtmlEncode(p).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>");
        return "<!DOCTYPE html><html><body>" + string.Concat(paragraphs) + "</body></html>";
    }
}
