using System.Security.Claims;
using FluentValidation.Results;
using FollowUp.Jobs.Calls;
using FollowUp.Web.Api.Idempotency;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FollowUp.Web.Api;

/// <summary>
/// Appointments changed without a call: read, cancel, move. A change is what the <c>cancelled</c> /
/// <c>rescheduled</c> call outcome does (<see cref="AppointmentActions"/>), journaled like a webhook and
/// written to the audit log with the API key's name.
/// </summary>
internal static class AppointmentEndpoints
{
    public static IEndpointRouteBuilder MapAppointmentApi(this IEndpointRouteBuilder app)
    {
        // GET  /api/appointments/{id}?client_id=              200 the appointment and its messages; 404 unknown; 422 client_id missing
        // POST /api/appointments/{id}/cancel?client_id=       202 the plan (cancellation, reminders cancelled); 404; 409 already cancelled
        // POST /api/appointments/{id}/reschedule?client_id=   202 the plan for the new time; 404; 409 cancelled; 422 starts_at
        //                                                     (both: 500 when processing failed: journaled, replayed like a webhook)
        var group = app.MapGroup("/api/appointments").RequireAuthorization("api").Refuses(StatusCodes.Status401Unauthorized).WithTags("Appointments");
        group.MapGet("/{id}", Get).Produces<AppointmentView>().Refuses(StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{id}/cancel", Cancel).WithIdempotencyKey().Produces<IntakeAnswer>(StatusCodes.Status202Accepted)
            .Refuses(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{id}/reschedule", Reschedule).WithIdempotencyKey().Accepts<RescheduleRequest>("application/json")
            .Produces<IntakeAnswer>(StatusCodes.Status202Accepted)
            .Refuses(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    private static async Task<IResult> Get(string id, HttpRequest request, AppointmentActions appointments, CancellationToken cancellationToken)
    {
        if (ClientIdProblem(request, out var clientId) is { } problem)
        {
            return problem;
        }

        return await appointments.FindAsync(clientId, id, cancellationToken) is { } appointment
            ? TypedResults.Json(appointment, ApiJson.Options)
            : Unknown(clientId, id);
    }

    private static async Task<IResult> Cancel(string id, HttpRequest request, AppointmentActions appointments, AuditLog audit,
        ClaimsPrincipal user)
    {
        if (ClientIdProblem(request, out var clientId) is { } problem)
        {
            return problem;
        }

        // Not the request's token: once journaled, the change is carried through even if the caller hangs up.
        var change = await appointments.CancelAsync(clientId, id, CancellationToken.None);
        return await ReplyAsync(change, "appointment.cancel", clientId, id, audit, user);
    }

    private static async Task<IResult> Reschedule(string id, HttpRequest request, AppointmentActions appointments, AuditLog audit,
        ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationFailure>();
        var clientProblem = ClientIdProblem(request, out var clientId);
        var (body, problem) = await ApiJson.ReadAsync<RescheduleRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (clientProblem is not null)
        {
            errors.Add(new ValidationFailure("client_id", "is required"));
        }

        if (!CallTimes.TryParse(body!.StartsAt, out _))
        {
            errors.Add(new ValidationFailure("starts_at", $"must be {CallTimes.Expected}, such as 2026-11-25T14:00:00-05:00"));
        }

        if (errors.Count > 0)
        {
            return ApiJson.ValidationProblem(new ValidationResult(errors));
        }

        var change = await appointments.RescheduleAsync(clientId, id, body.StartsAt!, CancellationToken.None);
        return await ReplyAsync(change, "appointment.reschedule", clientId, id, audit, user);
    }

    private static async Task<IResult> ReplyAsync(AppointmentChange change, string action, string clientId, string id, AuditLog audit,
        ClaimsPrincipal user)
    {
        switch (change.Status)
        {
            case AppointmentChangeStatus.NotFound:
                return Unknown(clientId, id);
            case AppointmentChangeStatus.AlreadyCancelled:
                return TypedResults.Problem(statusCode: 409, title: "Appointment cancelled",
                    detail: $"Appointment '{id}' of client '{clientId}' is cancelled already (by {change.Before!.CallId}); a booked call books it again.");
            case AppointmentChangeStatus.Failed:
                return TypedResults.Problem(statusCode: 500, title: "Processing failed",
                    detail: $"The change is journaled as call webhook {change.Intake!.WebhookId} and will be replayed: {change.Intake.Error}");
        }

        var before = change.Before!;
        await audit.WriteAsync(user.Identity?.Name ?? "api", action, $"appointment {clientId}/{id}",
            new { status = before.Status, starts_at = before.StartsAt.ToString(), call_id = before.CallId },
            new { webhook_id = change.Intake!.WebhookId }, CancellationToken.None);
        return TypedResults.Text(change.Intake.AnswerJson!, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status202Accepted);
    }

    private static IResult? ClientIdProblem(HttpRequest request, out string clientId)
    {
        clientId = request.Query["client_id"].ToString();
        return clientId.Length > 0
            ? null
            : ApiJson.ValidationProblem(new ValidationResult([new ValidationFailure("client_id", "is required: appointment ids are the client's")]));
    }

    private static ProblemHttpResult Unknown(string clientId, string id) =>
        TypedResults.Problem(statusCode: 404, title: "Unknown appointment", detail: $"No call of client '{clientId}' names appointment '{id}'.");
}
