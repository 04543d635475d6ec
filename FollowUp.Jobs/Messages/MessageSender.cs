using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Engine;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace FollowUp.Jobs.Messages;

/// <summary>
/// One send attempt for one message. Re-reads everything, checks again whether the message may go
/// (opted out, daily limit, and for marketing kinds business hours and the recipient's hours, deferring
/// without spending an attempt), records <c>sending</c> before the
/// provider call and <c>sent</c> with the provider's id after it. A rescued attempt that finds the
/// message sent does nothing; one that finds it <c>sending</c> records "possibly sent", asks the provider
/// for the earlier copy (Twilio's Messages list) and adopts it when found; only when none is found, or
/// the provider cannot be asked (email), does it send again (at least once). What is particular to SMS or email
/// (providers, request, segments, cost, whose zone applies) is the message's <see cref="IMessageChannel"/>'s.
/// </summary>
internal sealed class MessageSender
{
    private readonly MessageStore _store;
    private readonly ClientStore _clients;
    private readonly IReadOnlyDictionary<Channel, IMessageChannel> _channels;
    private readonly IClock _clock;
    private readonly DeliveryUpdates _deliveries;
    private readonly ILogger<MessageSender> _logger;

    private readonly Telemetry.FollowUpMetrics? _metrics;

    public MessageSender(
        MessageStore store, ClientStore clients, IEnumerable<IMessageChannel> channels, IClock clock, DeliveryUpdates deliveries,
        ILogger<MessageSender> logger, Telemetry.FollowUpMetrics? metrics = null)
    {
        _metrics = metrics;
        _store = store;
        _clients = clients;
        _channels = channels.ToDictionary(c => c.Channel);
        _clock = clock;
        _deliveries = deliveries;
        _logger = logger;
    }

    public async Task SendAsync(long messageId, SendAttempt job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        // A child of the job's span, which continues the trace of whoever planned the message.
        using var activity = Telemetry.FollowUpTelemetry.Source.StartActivity("send attempt");
        activity?.SetTag(Telemetry.FollowUpTelemetry.MessageId, messageId);
        activity?.SetTag(Telemetry.FollowUpTelemetry.JobId, job.JobId);
        activity?.SetTag("followup.attempt", job.Attempt);
        var message = await _store.LoadForSendAsync(messageId, cancellationToken)
            ?? throw new PermanentJobException($"Message {messageId} does not exist.");
        activity?.SetTag(Telemetry.FollowUpTelemetry.ClientId, message.ClientId);
        activity?.SetTag("followup.kind", message.Kind);
        activity?.SetTag("followup.channel", message.Channel.Name);
        switch (message.Status)
        {
            case MessageStatus.Sent or MessageStatus.Delivered:
                // Checkpoint: the provider accepted it in an earlier attempt; never send twice on purpose.
                _logger.LogInformation("Message {MessageId} already {Status}; not sending again", messageId, message.Status);
                return;
            case MessageStatus.Cancelled or MessageStatus.Skipped:
                return;
            case MessageStatus.DeadLettered:
                // Checkpoint: only a requeue of its dead letter moves it back to scheduled; a job run by another
                // door (a stock Requeue of a discarded dead letter's Deleted job) sends nothing.
                _logger.LogInformation("Message {MessageId} is dead-lettered; not sending without a requeue of its dead letter", messageId);
                return;
            case MessageStatus.Sending:
                // Checkpoint: an attempt died between "sending" and the provider's answer being stored.
                await _store.AddEventAsync(messageId, "possibly_sent",
                    $"An earlier attempt stopped after the send began; attempt {job.Attempt} sends again.", cancellationToken);
                break;
        }

        var channel = _channels.GetValueOrDefault(message.Channel)
            ?? throw new PermanentJobException($"Message {messageId} is for channel '{message.Channel}', which has no registered channel.");
        var outgoing = message.ToOutgoing();
        IReadOnlySet<string>? skip = null;
        if (message.Status == MessageStatus.Sending || message.PossiblySent)
        {
            await AwaitReceiptAsync(message, channel, outgoing, cancellationToken);
            var (adopted, unanswered) = await AdoptedEarlierCopyAsync(message, channel, outgoing, job, cancellationToken);
            if (adopted)
            {
                return;
            }

            skip = unanswered;
        }
        if (await RefusalAsync(message, channel.RecipientPhone(outgoing), cancellationToken) is { } reason)
        {
            await _store.SkipAsync(messageId, reason, cancellationToken);
            _logger.LogInformation("Message {MessageId} skipped: {Reason}", messageId, reason);
            return;
        }

        if (!await _store.MarkSendingAsync(messageId, $"attempt {job.Attempt} (job {job.JobId})", cancellationToken))
        {
            return; // cancelled or skipped meanwhile
        }

        ChannelReceipt sent;
        try
        {
            sent = await channel.SendAsync(outgoing,
                (provider, ex) => _store.AddFailoverAsync(messageId, provider, ex.Message, CancellationToken.None),
                cancellationToken, skip);
        }
        catch (ProviderSendException ex)
        {
            // Back to scheduled: the fixed retry runs it again, or, when attempts are spent or the failure
            // is permanent, the dead-letter filter moves it to dead_lettered with its dead letter.
            await _store.RecordFailureAsync(messageId, $"{ex.Provider}: {ex.Message}",
                $"attempt {job.Attempt} (job {job.JobId}): {ex.Provider}: {ex.Message}", CancellationToken.None);
            if (ex.MayHaveBeenSent)
            {
                await _store.AddPossiblySentAsync(messageId, ex.Provider, $"{ex.Provider} failed after the request was sent: {ex.Message}", CancellationToken.None);
            }

            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not a provider's refusal but a fault of ours (a bug, bad data): the message must not stay
            // "sending" for ever. Back to scheduled for the retry; when attempts are spent the dead-letter
            // filter moves it to dead_lettered.
            await _store.RecordFailureAsync(messageId, $"{ex.GetType().Name}: {ex.Message}",
                $"attempt {job.Attempt} (job {job.JobId}): {ex.GetType().Name}: {ex.Message}", CancellationToken.None);
            throw;
        }

        // Checkpoint: the provider has the message. Dying before the next line leaves it "sending",
        // which the next attempt reports as possibly sent.
        await MarkSentAsync(messageId, sent);
        _metrics?.Lateness((_clock.GetCurrentInstant() - message.ScheduledFor).ToTimeSpan(), message.Kind, message.Channel.Name, sent.Receipt.Provider);
    }

    /// <summary>
    /// Checkpoint: an earlier attempt may have reached a provider that cannot be asked but reports what it took
    /// in by a receipt naming the message (Vonage). Until that provider's receipt wait has passed since then,
    /// nothing goes out — through it or any other road — and the attempt is deferred to the wait's end without
    /// spending an attempt. A receipt arriving meanwhile makes the message <c>sent</c> (it names our message:
    /// see <see cref="DeliveryUpdates"/>), so the deferred run finds it sent and sends nothing. An attempt that
    /// died mid-send names no provider: the longest wait of the message's providers applies, from now.
    /// </summary>
    private async Task AwaitReceiptAsync(MessageToSend message, IMessageChannel channel, OutgoingMessage outgoing, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        var (since, provider) = message.Status == MessageStatus.Sending ? (now, null) : (message.PossiblySentAt, message.PossiblySentProvider);
        if (since is not { } at || channel.ReceiptWait(outgoing, provider) is not { } wait || now >= at + wait)
        {
            return;
        }

        var until = at + wait;
        var why = $"{provider ?? "a provider"} may have it since {at}; waiting for its receipt until {until} before anything is sent again";
        await _store.DeferAsync(message.Id, until, why, cancellationToken);
        _logger.LogInformation("Message {MessageId}: {Why}", message.Id, why);
        throw new JobDeferredException(until, why);
    }

    /// <summary>
    /// An earlier attempt may have reached a provider: asks the channel's providers that can be asked
    /// (Twilio's Messages list) for that copy before sending again. Found, it is adopted — <c>sent</c> with the
    /// provider's id and status — and nothing is sent. Not found, or no provider can be asked (email),
    /// the attempt sends: at least once. A provider that cannot answer is left out of this attempt when the
    /// channel has another (an outage must not stop reminders: the next road sends it, and the event says
    /// a copy may exist at the one that could not be asked); with no other, the attempt fails without
    /// sending and the retry asks again.
    /// </summary>
    /// <returns>Whether a copy was adopted; and the providers to leave out of this attempt, if any.</returns>
    private async Task<(bool Adopted, IReadOnlySet<string>? Skip)> AdoptedEarlierCopyAsync(MessageToSend message, IMessageChannel channel,
        OutgoingMessage outgoing, SendAttempt job, CancellationToken cancellationToken)
    {
        var since = (message.FirstAttemptAt ?? _clock.GetCurrentInstant()) - LookupMargin;
        ChannelReceipt? found;
        try
        {
            found = await channel.FindSentAsync(outgoing, since, cancellationToken);
        }
        catch (ProviderSendException ex) when (channel.Providers.Any(p => p != ex.Provider))
        {
            await _store.AddPossiblySentAsync(message.Id, ex.Provider,
                $"attempt {job.Attempt} (job {job.JobId}): could not ask {ex.Provider} whether an earlier attempt reached it ({ex.Message}); "
                + $"sending through the next provider, so a copy at {ex.Provider} may also exist", CancellationToken.None);
            return (false, new HashSet<string>(StringComparer.Ordinal) { ex.Provider });
        }
        catch (ProviderSendException ex)
        {
            var detail = $"attempt {job.Attempt} (job {job.JobId}): could not ask {ex.Provider} whether an earlier attempt reached it: {ex.Message}";
            if (!await _store.RecordFailureAsync(message.Id, $"{ex.Provider}: {ex.Message}", detail, CancellationToken.None))
            {
                await _store.AddEventAsync(message.Id, "attempt_failed", detail, CancellationToken.None);
            }

            throw;
        }

        if (found is null)
        {
            return (false, null);
        }

        var receipt = found.Receipt;
        await _store.AdoptSentAsync(message.Id, new SentReceipt(receipt.Provider, receipt.ProviderMessageId, null, found.Segments, found.Cost, found.Currency),
            $"{receipt.Provider}: {receipt.ProviderMessageId} (found at the provider, {receipt.Status}, from an earlier attempt; not sent again)",
            null, CancellationToken.None);
        _logger.LogInformation("Message {MessageId}: {Provider} already had it as {ProviderMessageId}; not sent again",
            message.Id, receipt.Provider, receipt.ProviderMessageId);
        if (receipt.ProviderMessageId.Length > 0)
        {
            await _deliveries.ApplyParkedAsync(receipt.Provider, receipt.ProviderMessageId, CancellationToken.None);
            if (DeliveryUpdates.FromProviderStatus(receipt.Status) is { } status && status != MessageStatus.Sent)
            {
                await _deliveries.ApplyAsync(receipt.Provider, receipt.ProviderMessageId, status, null, receipt.Segments, receipt.Price,
                    receipt.PriceCurrency, CancellationToken.None);
            }
        }

        return (true, null);
    }

    /// <summary>Clock skew between us and the provider, and the time an attempt takes to reach it.</summary>
    private static readonly Duration LookupMargin = Duration.FromMinutes(2);

    /// <summary>
    /// Records <c>sent</c>, retrying a database blip: giving up here would leave the message "sending"
    /// and the next attempt would send it again. The update only applies to a "sending" row, so a retry
    /// of one that did commit changes nothing. Then applies delivery callbacks that came first.
    /// </summary>
    private async Task MarkSentAsync(long messageId, ChannelReceipt sent)
    {
        var receipt = sent.Receipt;
        TimeSpan[] pauses = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var stored = new SentReceipt(receipt.Provider, receipt.ProviderMessageId, sent.EmailMessageId, sent.Segments, sent.Cost, sent.Currency);
                if (!await _store.MarkSentAsync(messageId, stored, CancellationToken.None))
                {
                    // A status callback naming this message recorded it sent first: keep what only we know.
                    await _store.FillReceiptAsync(messageId, stored, CancellationToken.None);
                }

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

    private async Task<string?> RefusalAsync(MessageToSend message, string? recipientPhone, CancellationToken cancellationToken)
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
        var hours = ClientHours.Of(client).Business;
        // The channel says whose number's zones apply (the client's zone without one).
        var recipient = ClientHours.Of(client).ForRecipient(recipientPhone);
        var now = _clock.GetCurrentInstant();
        var businessOpen = hours.IsOpenAt(now);
        if (!businessOpen || !recipient.IsOpenAt(now))
        {
            if (Clients.SendTimeResolver.MarketingAt(now, hours, recipient) is not { } next)
            {
                return hours.NextOpeningAt(now) is null ? Messages.SkipReasons.NoBusinessHours : Messages.SkipReasons.NoHoursInRecipientsWindow;
            }

            // Not an attempt: the job is scheduled again for that instant with its attempts untouched.
            var why = businessOpen
                ? $"outside the recipient's hours ({string.Join(", ", recipient.Zones.Select(z => z.Id))}); next allowed {next}"
                : $"outside business hours; next opening {next}";
            await _store.DeferAsync(message.Id, next, why, cancellationToken);
            throw new JobDeferredException(next, why);
        }

        var today = now.InZone(hours.Zone).Date;
        var from = today.AtStartOfDayInZone(hours.Zone).ToInstant();
        var to = today.PlusDays(1).AtStartOfDayInZone(hours.Zone).ToInstant();
        var sentToday = await _store.CountMarketingAsync(message.ClientId, message.Recipient, from, to, message.Id, cancellationToken);
        return sentToday >= message.DailyLimitPerRecipient ? "daily limit" : null;
    }
}
