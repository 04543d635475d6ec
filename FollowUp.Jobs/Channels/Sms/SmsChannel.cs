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

    public SmsChannel(
        IEnumerable<ISmsProvider> providers, IOptionsSnapshot<ChannelOptions> order, ProviderRateLimiters limiters,
        IOptions<CostOptions> costs, IOptions<PublicUrlOptions> publicUrl, ILogger<SmsChannel> logger)
    {
        ArgumentNullException.ThrowIfNull(order);
        _chain = new ProviderChain<ISmsProvider>(providers, new SandboxSmsProvider(), order.Get(Channel.Sms.Name), limiters, logger);
        _costs = costs.Value;
        _publicUrl = publicUrl.Value;
    }

    public Channel Channel => Channel.Sms;

    public string? RecipientPhone(OutgoingMessage message) => message.Recipient;

    public async Task<ChannelReceipt> SendAsync(OutgoingMessage message, Func<string, ProviderSendException, Task> onFailover, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = new SmsRequest(message.Recipient, message.SmsFrom, message.Body, _publicUrl.TwilioStatusCallback);
        var receipt = await _chain.SendAsync((p, ct) => p.SendAsync(request, ct), onFailover, cancellationToken);
        var segments = receipt.Segments ?? SmsSegments.Count(message.Body);
        var (cost, currency) = _costs.Charge(receipt, _costs.SmsPerSegment * segments);
        return new ChannelReceipt(receipt, null, segments, cost, currency);
    }
}
