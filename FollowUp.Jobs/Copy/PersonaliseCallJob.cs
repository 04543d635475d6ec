using System.ComponentModel;
using System.Net.Mail;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Jobs.Copy;

/// <summary>
/// The Hangfire job that rewrites one call's messages with the model, after the plan committed with template
/// bodies: for each message still <c>scheduled</c>, not yet due, of a kind the client has rewritten, it asks
/// <see cref="ICopyWriter"/> once, checks the answer with <see cref="Guardrails"/>, and replaces the body only if
/// every check passes and the message is still waiting (<see cref="CopyStore.ReplaceAsync"/>). Anything else —
/// a timeout, an error after the SDK's retries, the spend cap, a failed check — keeps the template and records
/// why. It never holds a send: a message's send job does not wait for this one, and a rewrite that finishes
/// after the message is due changes nothing.
/// </summary>
/// <remarks>
/// Idempotent: a message the model was asked about is not asked about again (its <c>ai_at</c> is set), so a retry
/// of this job after a fault neither calls the model twice for a message nor spends twice.
/// </remarks>
internal sealed class PersonaliseCallJob(CopyStore store, ClientStore clients, ICopyWriter writer, IOptions<AiOptions> options, IClock clock,
    ILogger<PersonaliseCallJob> logger)
{
    [DisplayName("AI copy for {1} (request {0})")]
    public async Task PersonaliseAsync(long requestId, string label, CancellationToken cancellationToken)
    {
        var request = await store.FindRequestAsync(requestId, cancellationToken);
        if (request is null || request.DoneAt is not null)
        {
            return;
        }

        var ai = options.Value;
        var client = await clients.FindAsync(request.ClientId, cancellationToken);
        var call = await store.CallAsync(request.ClientId, request.CallId, cancellationToken);
        if (ai.Configured && client?.AiCopy is { Enabled: true } settings && call is not null)
        {
            foreach (var message in await store.CandidatesAsync(request.ClientId, request.CallId, clock.GetCurrentInstant(), cancellationToken))
            {
                if (settings.Covers(message.Kind) && (message.Channel == "sms" || settings.Email))
                {
                    await RewriteAsync(message, client, settings, call, ai, cancellationToken);
                }
            }
        }

        await store.CompleteRequestAsync(requestId, cancellationToken);
    }

    private async Task RewriteAsync(CopyCandidate message, ClientSettings client, AiCopySettings settings, CopyCall call, AiOptions ai,
        CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var monthStart = now.InUtc().Date.With(DateAdjusters.StartOfMonth).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        if (await store.SpentSinceAsync(monthStart, cancellationToken) >= ai.MonthlySpendCapUsd)
        {
            await store.KeepAsync(message.Id, KeptReasons.SpendCap, $"this month's model spend reached {ai.MonthlySpendCapUsd} USD", null, null, cancellationToken);
            return;
        }

        var values = ClientTemplateValues.For(client, ClientHours.Of(client).Business.Zone, call.CustomerName, call.AppointmentStartsAt, call.AppointmentService);
        var marketing = MessageKind.IsMarketing(message.Kind);
        var template = marketing && message.Channel == "sms" && message.Body.EndsWith("\n" + MessageTemplate.OptOutSuffix, StringComparison.Ordinal)
            ? message.Body[..^(MessageTemplate.OptOutSuffix.Length + 1)]
            : message.Body;
        var appointmentTime = MessageTemplate.HasAppointment(message.Kind) ? values.AppointmentTime : null;
        var bookingUrl = MessageTemplate.InvitesBooking(message.Kind) ? client.BookingUrl : null;
        var maxChars = message.Channel == "sms"
            ? settings.MaxSmsChars - (marketing ? MessageTemplate.OptOutSuffix.Length + 1 : 0)
            : Guardrails.MaxEmailChars;
        var brief = new CopyBrief
        {
            Kind = message.Kind, Channel = message.Channel, Template = template, BusinessName = client.Name, FirstName = values.FirstName,
            AppointmentTime = appointmentTime, BookingUrl = bookingUrl, Tone = settings.Tone, Instructions = settings.Instructions,
            MaxChars = maxChars, Summary = call.Summary, Intent = call.Intent, Notes = call.Notes,
        };

        // The whole call, the SDK's retries included, ends by the timeout, and before the message is due.
        var budget = TimeSpan.FromSeconds(ai.TimeoutSeconds);
        var untilDue = (message.ScheduledFor - clock.GetCurrentInstant()).ToTimeSpan();
        if (untilDue <= TimeSpan.Zero)
        {
            await store.KeepAsync(message.Id, KeptReasons.TooLate, "the message was due before the model was asked", null, null, cancellationToken);
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(untilDue < budget ? untilDue : budget);
        CopyDraft draft;
        try
        {
            draft = await writer.WriteAsync(brief, deadline.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var timedOut = deadline.IsCancellationRequested || ex is TimeoutException;
            // The exception's type and message only: never the prompt (it holds what the caller said) nor the key.
            logger.LogWarning("AI copy for message {MessageId} failed ({Reason}: {Type}); the template is kept", message.Id,
                timedOut ? KeptReasons.Timeout : KeptReasons.Error, ex.GetType().Name);
            await store.KeepAsync(message.Id, timedOut ? KeptReasons.Timeout : $"{KeptReasons.Error}: {ex.GetType().Name}",
                timedOut ? null : Truncate(ex.Message), null, null, cancellationToken);
            return;
        }

        var cost = ai.CostOf(draft.InputTokens, draft.OutputTokens);
        var verdict = Guardrails.Check(draft.Text, new GuardrailFacts
        {
            Channel = message.Channel, Marketing = marketing, MaxSmsChars = settings.MaxSmsChars, BusinessName = client.Name,
            FirstName = values.FirstName, CustomerName = call.CustomerName, AppointmentTime = appointmentTime, BookingUrl = bookingUrl,
            BusinessPhone = client.SmsFrom, BusinessEmail = AddressOf(client.EmailFrom), Template = template,
            CallContext = string.Join("\n", new[] { call.Summary, call.Intent, call.Notes }.Where(t => t is not null)),
        });
        if (!verdict.Passed)
        {
            await store.KeepAsync(message.Id, verdict.Reason!, verdict.Why, draft, cost, cancellationToken);
            return;
        }

        if (!await store.ReplaceAsync(message.Id, verdict.Body!, draft, cost, cancellationToken))
        {
            await store.KeepAsync(message.Id, KeptReasons.TooLate, "the message was due, sending or cancelled before the rewrite", draft, cost, cancellationToken);
        }
    }

    private static string? AddressOf(string? mailbox) => mailbox is not null && MailAddress.TryCreate(mailbox, out var address) ? address.Address : null;

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300];
}
