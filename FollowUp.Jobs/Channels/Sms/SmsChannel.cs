using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Sms;

/// <summary>
/// SMS: every registered <see cref="ISmsProvider"/> in <c>FollowUp:Sms:Providers</c> order, or the
/// sandbox; status callbacks to <c>FollowUp:PublicBaseUrl</c>; segments as the provider counted them
/// (else ours, GSM-7 or UCS-2) and cost per segment.
/// </summary>
internal sealed class SmsChannel : IMessageChannel
{
    private readonly ProviderChain<ISmsProvider> _chain;
    private readonly CostOptions _costs;
    private readonly PublicUrlOptions _publicUrl;
    private readonly Telemetry.FollowUpMetrics? _metrics;

    private readonly WebhookSmsProvider? _route;
    private readonly Storage.SecretProtector? _secrets;

    public SmsChannel(
        IEnumerable<ISmsProvider> providers, IOptionsSnapshot<ChannelOptions> order, ProviderRateLimiters limiters,
        IOptions<CostOptions> costs, IOptions<PublicUrlOptions> publicUrl, ILogger<SmsChannel> logger, Telemetry.FollowUpMetrics? metrics = null,
        ProviderBreakers? breakers = null, WebhookSmsProvider? route = null, Storage.SecretProtector? secrets = null)
    {
        _route = route;
        _secrets = secrets;
        ArgumentNullException.ThrowIfNull(order);
        _chain = new ProviderChain<ISmsProvider>(providers, new SandboxSmsProvider(), order.Get(Channel.Sms.Name), limiters, logger, Channel.Sms, metrics, breakers);
        _metrics = metrics;
        _costs = costs.Value;
        _publicUrl = publicUrl.Value;
    }

    public Channel Channel => Channel.Sms;

    public IReadOnlyList<string> Providers => [.. _chain.Providers.Select(p => p.Name)];

    public string? RecipientPhone(OutgoingMessage message) => message.Recipient;

    public async Task<ChannelReceipt> SendAsync(OutgoingMessage message, Func<string, ProviderSendException, Task> onFailover, CancellationToken cancellationToken,
        IReadOnlySet<string>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.SmsRouteUrl is { } url && message.SmsRouteSecret is { } stored)
        {
            // The client's own route is its only road: no failover (its automation is the business's choice of
            // carrier), the retry and the route's Idempotency-Key keep it at most once per receiver that honours it.
            if (_route is null || _secrets is null)
            {
                throw new ProviderSendException(WebhookSmsProvider.ProviderName, SendFailureKind.Transient, "The webhook route is not registered on this node.");
            }

            var secret = _secrets.Reveal(stored);
            var routed = await _chain.ObservedAsync(_route, "send",
                () => _route.SendThroughClientRouteAsync(Request(message), url, secret, cancellationToken));
            return Charged(message, routed);
        }

        var receipt = await _chain.SendAsync((p, ct) => p.SendAsync(Request(message), ct), onFailover, cancellationToken, skip, message.SmsProviders);
        return Charged(message, receipt);
    }

    /// <summary>Asks each provider that can be asked, in failover order, for the copy an earlier attempt may have left.</summary>
    public async Task<ChannelReceipt?> FindSentAsync(OutgoingMessage message, NodaTime.Instant since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.SmsRouteUrl is not null)
        {
            return null; // the client's route is its only road, and it keeps the Idempotency-Key instead of a lookup
        }

        foreach (var provider in _chain.Providers.Where(p => p.CanLookUp))
        {
            if (await _chain.ObservedAsync(provider, "lookup", () => provider.FindSentAsync(new SmsLookup(Request(message), since), cancellationToken)) is { } found)
            {
                _metrics?.Adopted(provider.Name, Channel.Name);
                return Charged(message, found);
            }
        }

        return null;
    }

    public NodaTime.Duration? ReceiptWait(OutgoingMessage message, string? provider)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.SmsRouteUrl is not null)
        {
            return null;
        }

        return _chain.Providers
            .Where(p => provider is null
                ? message.SmsProviders is null || message.SmsProviders.Contains(p.Name, StringComparer.OrdinalIgnoreCase)
                : string.Equals(p.Name, provider, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.ReceiptWait)
            .Max();
    }

    // The status callback names the message, so a callback for an attempt whose node died records the SID by itself.
    private SmsRequest Request(OutgoingMessage message) =>
        new(message.Recipient, message.SmsFrom, message.Body, _publicUrl.TwilioStatusCallbackFor(message.Id), message.Id, message.ClientId, message.Kind);

    private ChannelReceipt Charged(OutgoingMessage message, ProviderReceipt receipt)
    {
        var segments = receipt.Segments ?? SmsSegments.Count(message.Body);
        var (cost, currency) = _costs.Charge(receipt, _costs.SmsPerSegment * segments);
        return new ChannelReceipt(receipt, null, segments, cost, currency);
    }
}
