using System.Globalization;
using Dapper;
using FollowUp.Jobs.Messages;
using FollowUp.Web.Api;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using NodaTime;

namespace FollowUp.Web.Dashboard.Compose;

/// <summary>
/// An ad-hoc SMS or email, now or later, validated by the API's own <see cref="MessageRequestValidator"/>
/// and planned through <see cref="IMessageClient"/> like <c>POST /api/messages</c>; audited.
/// </summary>
internal sealed class IndexModel(IMessageClient messages, NpgsqlDataSource dataSource, AuditLog audit) : PageModel
{
    public IReadOnlyList<ClientOption> Clients { get; private set; } = [];

    public string? ClientId { get; private set; }

    public string Channel { get; private set; } = "sms";

    public string? To { get; private set; }

    public string? Subject { get; private set; }

    public string? Body { get; private set; }

    public string? SendAt { get; private set; }

    public IReadOnlyDictionary<string, string> Problems { get; private set; } = new Dictionary<string, string>();

    [RequiresRole(DashboardRoles.Operator)]
    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadClientsAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(
        string? clientId, string? channel, string? to, string? subject, string? body, string? sendAt, CancellationToken cancellationToken)
    {
        (ClientId, Channel, To, Subject, Body, SendAt) = (clientId, channel ?? "", to, subject, body, sendAt);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        DateTimeOffset? when = null;
        if (!string.IsNullOrWhiteSpace(sendAt))
        {
            if (DateTime.TryParseExact(sendAt, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                when = new DateTimeOffset(parsed, TimeSpan.Zero);
            }
            else
            {
                problems["send_at"] = $"'{sendAt}' is not a date and time (yyyy-MM-ddTHH:mm, UTC).";
            }
        }

        // The form's channel, read once; an unknown one is the validator's "channel" problem below.
        var named = Jobs.Channels.Channel.TryParse(channel, out var parsedChannel) ? parsedChannel : null;
        var request = new MessageRequest
        {
            ClientId = clientId, Channel = channel, To = to?.Trim(), Body = body,
            Subject = named == Jobs.Channels.Channel.Sms && string.IsNullOrEmpty(subject) ? null : subject,
            SendAt = when,
        };
        foreach (var error in (await new MessageRequestValidator().ValidateAsync(request, cancellationToken)).Errors)
        {
            problems.TryAdd(error.PropertyName, error.ErrorMessage.Replace($"'{error.PropertyName}' ", "", StringComparison.Ordinal));
        }

        await LoadClientsAsync(cancellationToken);
        if (problems.Count == 0 && !Clients.Any(c => c.Id == clientId))
        {
            problems["client_id"] = $"There is no client '{clientId}'.";
        }

        if (problems.Count > 0)
        {
            Problems = problems;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        Instant? at = when is { } w ? Instant.FromDateTimeOffset(w) : null;
        var message = named == Jobs.Channels.Channel.Sms
            ? await messages.SendSmsAsync(clientId!, request.To!, body!, at, null, cancellationToken)
            : await messages.SendEmailAsync(clientId!, request.To!, subject!, body!, at, null, cancellationToken);
        await audit.WriteAsync(User.Identity!.Name!, "message.compose", $"message {message.Id}", null,
            new { clientId, channel, to = request.To, subject = request.Subject, body, scheduledFor = message.ScheduledFor.ToString() },
            cancellationToken);
        TempData["Notice"] = $"Message {message.Id} to {message.Recipient} planned for {Format.Time(message.ScheduledFor)}.";
        return Redirect($"/dashboard/messages/{message.Id}");
    }

    private const string ClientsSql = "select id, name from clients order by name, id";

    private async Task LoadClientsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        Clients = (await connection.QueryAsync<ClientOption>(new CommandDefinition(ClientsSql, cancellationToken: cancellationToken))).AsList();
    }
}
