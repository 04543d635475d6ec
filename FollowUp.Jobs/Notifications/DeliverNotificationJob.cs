using System.ComponentModel;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Hangfire.Server;
using Npgsql;
using NodaTime;
using FollowUp.Jobs.Signing;
using FollowUp.Jobs.Storage;

namespace FollowUp.Jobs.Notifications;

/// <summary>
/// The Hangfire job that delivers one business notification: POSTs the event to the client's webhook,
/// signed like our own inbound webhook (<see cref="CallSignature"/>: <c>X-FollowUp-Signature:
/// t=…,v1=…</c>, HMAC-SHA256 of <c>"{t}.{body}"</c> under the client's notification secret). Any answer
/// but 2xx, a timeout or a refused connection fails the attempt: the fixed retry tries again (3 attempts,
/// 60 s apart by default), then the dead-letter table holds it, requeueable like any send.
/// </summary>
/// <remarks>
/// At-least-once: a receiver that took the event but whose answer was lost gets it again, with the same
/// <c>id</c> (the event's idempotency key) and the same body; only the signature's timestamp is new.
/// The URL and secret are read at each attempt, so a receiver fixed after a dead letter is reached by the requeue.
/// Redirects are not followed (a redirect fails the attempt): the signed body goes only where the client said.
/// </remarks>
internal sealed class DeliverNotificationJob(NpgsqlDataSource dataSource, NotificationStore notifications, IHttpClientFactory httpClients, IClock clock,
    SecretProtector secrets)
{
    public const string HttpClientName = "followup-notifications";

    /// <summary>Delivers notification <paramref name="notificationId"/>; Hangfire supplies the context and token.</summary>
    [DisplayName("{1} (notification {0})")]
    public async Task DeliverAsync(long notificationId, string label, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var jobId = long.Parse(context.BackgroundJob.Id, CultureInfo.InvariantCulture);
        Pending? pending;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            pending = await connection.QuerySingleOrDefaultAsync<Pending>(new CommandDefinition("""
                select n.event_id, n.type, n.client_id, n.data::text as data, n.created_at, n.status, n.job_id,
                       c.notify_url as url, c.notify_secret as secret
                from notifications n join clients c on c.id = n.client_id where n.id = @notificationId
                """, new { notificationId }, cancellationToken: cancellationToken));
        }

        // Checkpoint: delivered already, dropped (its dead letter discarded, its job deleted), dead-lettered (only a
        // requeue of its dead letter makes it pending again), or owned by another job (a duplicate left by a crash):
        // nothing to do.
        if (pending is null || pending.Status != NotificationStatus.Pending || (pending.JobId is { } owner && owner != jobId))
        {
            return;
        }

        if (pending.Url is null || pending.Secret is null)
        {
            await RecordAsync(notificationId, NotificationStatus.Dropped, null, "the client has no notification URL any more", cancellationToken);
            return;
        }

        var body = Encoding.UTF8.GetBytes(Body(pending));
        using var request = new HttpRequestMessage(HttpMethod.Post, pending.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(CallSignature.Header, CallSignature.Compute(secrets.Reveal(pending.Secret), clock.GetCurrentInstant().ToUnixTimeSeconds(), body));
        request.Headers.Add("X-FollowUp-Event", pending.Type);
        request.Headers.Add("X-FollowUp-Event-Id", pending.EventId.ToString());

        int? status = null;
        string? error;
        try
        {
            // Headers only: the status is all we need, and a receiver's body (any size) is never read.
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                await RecordAsync(notificationId, NotificationStatus.Delivered, status, null, cancellationToken);
                return;
            }

            error = $"the receiver answered {status}";
        }
        catch (HttpRequestException ex)
        {
            // Stored and shown on dead letters: said in our words, never the exception's, which names
            // the address and port dialled (an internal one, for a URL that resolves inside).
            error = Unreachable(ex);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = "the receiver did not answer in time";
        }

        await RecordAsync(notificationId, null, status, error, cancellationToken);
        throw new NotificationDeliveryException($"{pending.Type} {pending.EventId} not delivered: {error}.");
    }

    private static string Unreachable(HttpRequestException ex) => ex switch
    {
        { InnerException: ReceiverAddressRefusedException refused } => $"the receiver could not be reached: {refused.Message}",
        { HttpRequestError: HttpRequestError.NameResolutionError } => "the receiver could not be reached: its host name did not resolve",
        { HttpRequestError: HttpRequestError.SecureConnectionError } => "the receiver could not be reached: the TLS handshake failed",
        { HttpRequestError: HttpRequestError.ConnectionError } => "the receiver could not be reached: the connection was refused or lost",
        { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => "the receiver's response headers were too large",
        _ => $"the receiver could not be reached ({ex.HttpRequestError})",
    };

    /// <summary>What the dashboard shows for a delivery job: "Notify reply.received".</summary>
    public static string Label(string type) => $"Notify {type}";

    /// <summary>The event as the receiver gets it: the same bytes at every attempt.</summary>
    internal static string Body(Pending pending)
    {
        using var data = JsonDocument.Parse(pending.Data);
        return JsonSerializer.Serialize(new
        {
            id = pending.EventId,
            type = pending.Type,
            created_at = pending.CreatedAt,
            client_id = pending.ClientId,
            data = data.RootElement,
        }, FollowUpJson.Options);
    }

    // One attempt's outcome, and its status (delivered, dropped) only when the attempt settled it, in one transaction.
    private async Task RecordAsync(long notificationId, string? status, int? response, string? error, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            update notifications set attempts = attempts + 1, last_attempt_at = @now, last_response = @response, last_error = @error,
                delivered_at = case when @delivered then @now else delivered_at end
            where id = @notificationId
            """, new { notificationId, response, error, delivered = status == NotificationStatus.Delivered, now }, tx,
            cancellationToken: cancellationToken));
        if (status is not null)
        {
            await notifications.TransitionAsync(notificationId, status, NotificationStatus.Waiting, null, tx, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    internal sealed record Pending(Guid EventId, string Type, string ClientId, string Data, Instant CreatedAt, string Status, long? JobId,
        string? Url, string? Secret);
}
