using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Email;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// One send attempt for one message. Re-reads everything, checks again whether the message may go
/// (opted out, daily limit, and for marketing kinds business hours and the recipient's hours, deferring
/// without spending an attempt), records <c>sending</c> before the
/// provider call and <c>sent</c> with the provider's id after it. A rescued attempt that finds the
/// message sent does nothing; one that finds it <c>sending</c> records "possibly sent" and sends again
/// (at least once: a reminder sent twice is better than none).
/// </summary>
internal sealed class MessageSender
{
    private readonly MessageStore _store;
    private readonly ClientStore _clients;
    private readonly IReadOnlyList<ISmsProvider> _sms;
    private readonly IReadOnlyList<IEmailProvider> _email;
    private readonly ProviderRateLimiters _limiters;
    private readonly CostOptions _costs;
    private readonly PublicUrlOptions _publicUrl;
    private readonly IClock _clock;
    private readonly DeliveryUpdates _deliveries;
    private readonly ILogger<MessageSender> _logger;

    public MessageSender(
        MessageStore store, ClientStore clients, IEnumerable<ISmsProvider> sms, IEnumerable<IEmailProvider> email,
        ProviderRateLimiters limiters, IOptions<CostOptions> costs, IOptions<PublicUrlOptions> publicUrl,
        IOptionsSnapshot<ChannelOptions> channels, IClock clock, DeliveryUpdates deliveries, ILogger<MessageSender> logger)
    {
        _store = store;
        _clients = clients;
        _sms = channels.Get("sms").Order(sms.Where(p => p.IsConfigured && p is not SandboxSmsProvider), p => p.Name);
        _email = channels.Get("email").Order(email.Where(p => p.IsConfigured && p is not SandboxEmailProvider), p => p.Name);
        _limiters = limiters;
        _costs = costs.Value;
        _publicUrl = publicUrl.Value;
        _clock = clock;
        _deliveries = deliveries;
        _logger = logger;
    }

    public async Task SendAsync(long messageId, SendAttempt job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var message = await _store.LoadForSendAsync(messageId, cancellationToken)
            ?? throw new PermanentJobException($"Message {messageId} does not exist.");
        switch (message.Status)
        {
            case MessageStatus.Sent or MessageStatus.Delivered:
                // Checkpoint: the provider accepted it in an earlier attempt; never send twice on purpose.
                _logger.LogInformation("Message {MessageId} already {Status}; not sending again", messageId, message.Status);
                return;
            case MessageStatus.Cancelled or MessageStatus.Skipped:
                return;
            case MessageStatus.Sending:
                // Checkpoint: an attempt died between "sending" and the provider's answer being stored.
                await _store.AddEventAsync(messageId, "possibly_sent",
                    $"An earlier attempt stopped after the send began; attempt {job.Attempt} sends again.", cancellationToken);
                break;
        }

        if (await RefusalAsync(message, cancellationToken) is { } reason)
        {
            await _store.SkipAsync(messageId, reason, cancellationToken);
            _logger.LogInformation("Message {MessageId} skipped: {Reason}", messageId, reason);
            return;
        }

        if (!await _store.MarkSendingAsync(messageId, cancellationToken))
        {
            return; // cancelled or skipped meanwhile
        }

        ProviderReceipt receipt;
        string? emailMessageId = null;
        try
        {
            if (message.Channel == "sms")
            {
                receipt = await SendSmsAsync(message, cancellationToken);
            }
            else
            {
                emailMessageId = $"{messageId}.{Guid.NewGuid():N}@followup";
                receipt = await SendEmailAsync(message, emailMessageId, cancellationToken);
            }
        }
        catch (ProviderSendException ex)
        {
            // Back to scheduled: the fixed retry runs it again, or, when attempts are spent or the failure
            // is permanent, the dead-letter filter moves it to dead_lettered with its dead letter.
            await _store.RecordFailureAsync(messageId, MessageStatus.Scheduled, $"{ex.Provider}: {ex.Message}", CancellationToken.None);
            await _store.AddEventAsync(messageId, "attempt_failed", $"attempt {job.Attempt} (job {job.JobId}): {ex.Provider}: {ex.Message}", CancellationToken.None);
            if (ex.MayHaveBeenSent)
            {
                await _store.AddEventAsync(messageId, "possibly_sent", $"{ex.Provider} failed after the request was sent: {ex.Message}", CancellationToken.None);
            }

            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not a provider's refusal but a fault of ours (a bug, bad data): the message must not stay
            // "sending" for ever. Back to scheduled for the retry; when attempts are spent the dead-letter
            // filter moves it to dead_lettered.
            await _store.RecordFailureAsync(messageId, MessageStatus.Scheduled, $"{ex.GetType().Name}: {ex.Message}", CancellationToken.None);
            await _store.AddEventAsync(messageId, "attempt_failed", $"attempt {job.Attempt} (job {job.JobId}): {ex.GetType().Name}: {ex.Message}", CancellationToken.None);
            throw;
        }

        // Checkpoint: the provider has the message. Dying before the next line leaves it "sending",
        // which the next attempt reports as possibly sent.
        // The provider's count when it reports one, else ours (GSM-7 or UCS-2) for the estimate.
        var segments = receipt.Segments ?? (message.Channel == "sms" ? SmsSegments.Count(message.Body) : null);
        var (cost, currency) = Cost(message.Channel, receipt, segments);
        await MarkSentAsync(messageId, receipt, emailMessageId, segments, cost, currency);
    }

    /// <summary>
    /// Records <c>sent</c>, retrying a database blip: giving up here would leave the message "sending"
    /// and the next attempt would send it again. The update only applies to a "sending" row, so a retry
    /// of one that did commit changes nothing. Then applies delivery callbacks that came first.
    /// </summary>
    private async Task MarkSentAsync(long messageId, ProviderReceipt receipt, string? emailMessageId, int? segments, decimal cost, string currency)
    {
        TimeSpan[] pauses = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _store.MarkSentAsync(messageId, receipt.Provider, receipt.ProviderMessageId, emailMessageId, segments, cost, currency, CancellationToken.None);
                break;
            }
            catch (System.Data.Common.DbException ex) when (attempt < pauses.Length)
            {
                _logger.LogWarning(ex, "Recording message {MessageId} as sent failed; trying again in {Pause}", messageId, pauses[attempt]);
                await Task.Delay(pauses[attempt], CancellationToken.None);
            }
        }

        if (receipt.ProviderMessageId.Length > 0)
        {
            await _deliveries.ApplyParkedAsync(receipt.Provider, receipt.ProviderMessageId, CancellationToken.None);
        }
    }

    private async Task<string?> RefusalAsync(MessageToSend message, CancellationToken cancellationToken)
    {
        if (message.Suppressed)
        {
            return "opted out";
        }

        if (!message.Marketing)
        {
            return null;
        }

        var client = await _clients.FindAsync(message.ClientId, cancellationToken)
            ?? throw new PermanentJobException($"Client {message.ClientId} no longer exists.");
        var hours = BusinessHours.From(client);
        // An SMS's zones are its recipient's; an email's, its customer's number's (the client's zone without one).
        var recipient = RecipientHours.For(client, message.Channel == "sms" ? message.Recipient : message.CustomerPhone);
        var now = _clock.GetCurrentInstant();
        var businessOpen = hours.IsOpenAt(now);
        if (!businessOpen || !recipient.IsOpenAt(now))
        {
            if (Clients.SendTimeResolver.MarketingAt(now, hours, recipient) is not { } next)
            {
                return hours.NextOpeningAt(now) is null ? Messages.SkipReasons.NoBusinessHours : Messages.SkipReasons.NoHoursInRecipientsWindow;
            }

            // Not an attempt: the job is scheduled again for that instant with its attempts untouched.
            await _store.DeferAsync(message.Id, next, cancellationToken);
            throw new JobDeferredException(next, businessOpen
                ? $"outside the recipient's hours ({string.Join(", ", recipient.Zones.Select(z => z.Id))}); next allowed {next}"
                : $"outside business hours; next opening {next}");
        }

        var today = now.InZone(hours.Zone).Date;
        var from = today.AtStartOfDayInZone(hours.Zone).ToInstant();
        var to = today.PlusDays(1).AtStartOfDayInZone(hours.Zone).ToInstant();
        var sentToday = await _store.CountMarketingAsync(message.ClientId, message.Recipient, from, to, message.Id, cancellationToken);
        return sentToday >= message.DailyLimitPerRecipient ? "daily limit" : null;
    }

    private Task<ProviderReceipt> SendSmsAsync(MessageToSend message, CancellationToken cancellationToken)
    {
        var request = new SmsRequest(message.Recipient, message.SmsFrom, message.Body, _publicUrl.TwilioStatusCallback);
        return ProviderChain.SendAsync(_sms, new SandboxSmsProvider(), p => p.Name, (p, ct) => p.SendAsync(request, ct),
            (provider, ex) => _store.AddEventAsync(message.Id, "failover", $"{provider}: {ex.Message}", CancellationToken.None),
            _limiters, _logger, cancellationToken);
    }

    private Task<ProviderReceipt> SendEmailAsync(MessageToSend message, string emailMessageId, CancellationToken cancellationToken)
    {
        var request = new EmailRequest(message.Recipient, message.EmailFrom, message.Subject ?? "", message.Body, HtmlAlternative(message.Body), emailMessageId,
            message.Kind, message.Marketing);
        return ProviderChain.SendAsync(_email, new SandboxEmailProvider(), p => p.Name, (p, ct) => p.SendAsync(request, ct),
            (provider, ex) => _store.AddEventAsync(message.Id, "failover", $"{provider}: {ex.Message}", CancellationToken.None),
            _limiters, _logger, cancellationToken);
    }

    /// <summary>The HTML alternative of a plain-text body: encoded, paragraphs and line breaks kept.</summary>
    internal static string HtmlAlternative(string text)
    {
        var paragraphs = text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => "<p>" + System.Net.WebUtility.HtmlEncode(p).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>");
        return "<!DOCTYPE html><html><body>" + string.Concat(paragraphs) + "</body></html>";
    }

    private (decimal Cost, string Currency) Cost(string channel, ProviderReceipt receipt, int? segments)
    {
        if (receipt.Price is { } price)
        {
            return (price, receipt.PriceCurrency ?? _costs.Currency);
        }

        if (receipt.Provider == "sandbox")
        {
            return (0m, _costs.Currency);
        }

        return channel == "sms"
            ? (_costs.SmsPerSegment * (segments ?? 0), _costs.Currency)
            : (_costs.EmailPerMessage, _costs.Currency);
    }
}
