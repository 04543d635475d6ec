using FollowUp.Jobs.Calls;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FollowUp.Web.Api;

/// <summary>Calls and the call-webhook journal: read a call with its messages, list and replay webhooks.</summary>
internal static class CallEndpoints
{
    public static IEndpointRouteBuilder MapCallApi(this IEndpointRouteBuilder app)
    {
        // GET  /api/calls/{call_id}?client_id=        200 the call and its messages; 404 unknown; 409 several clients, name one
        // GET  /api/call-webhooks?status=&before=     200 journal entries, newest first, 100 a page
        // GET  /api/call-webhooks/{id}                200 one entry (status, attempts, error); 404
        // POST /api/call-webhooks/{id}/replay         202 processed now; 200 it was already processed; 404; 500 failed again (error recorded)
        var api = app.MapGroup("/api").RequireAuthorization("api").Refuses(StatusCodes.Status401Unauthorized);
        api.MapGet("/calls/{callId}", GetCall).WithTags("Calls").Refuses(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        // 400 also when before is not a number (the parameter's binding).
        api.MapGet("/call-webhooks", ListWebhooks).WithTags("Calls").Produces<IReadOnlyList<WebhookEntry>>().Refuses(StatusCodes.Status400BadRequest);
        api.MapGet("/call-webhooks/{id:long}", GetWebhook).WithTags("Calls").Refuses(StatusCodes.Status404NotFound);
        api.MapPost("/call-webhooks/{id:long}/replay", ReplayWebhook).WithTags("Calls")
            .Produces<IntakeAnswer>(StatusCodes.Status202Accepted).Produces<IntakeAnswer>().Refuses(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<CallView>, ProblemHttpResult>> GetCall(string callId, string? clientId, CallQueries calls,
        CancellationToken cancellationToken)
    {
        var found = await calls.FindAsync(callId, clientId, cancellationToken);
        return found.Count switch
        {
            0 => TypedResults.Problem(statusCode: 404, title: "Unknown call", detail: $"No call '{callId}'."),
            1 => TypedResults.Ok(found[0]),
            _ => TypedResults.Problem(statusCode: 409, title: "Call id is not unique",
                detail: $"Clients {string.Join(", ", found.Select(c => c.ClientId))} each have a call '{callId}'; add ?client_id=."),
        };
    }

    private static async Task<IResult> ListWebhooks(string? status, long? before, CallIntake intake, CancellationToken cancellationToken)
    {
        if (status is not null and not ("received" or "processed" or "failed"))
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid status", detail: "status is received, processed or failed.");
        }

        return TypedResults.Ok(await intake.ListAsync(status, before, 100, includeBody: false, cancellationToken));
    }

    private static async Task<Results<Ok<WebhookEntry>, ProblemHttpResult>> GetWebhook(long id, CallIntake intake, CancellationToken cancellationToken) =>
        await intake.FindAsync(id, cancellationToken) is { } entry
            ? TypedResults.Ok(entry)
            : TypedResults.Problem(statusCode: 404, title: "Unknown webhook", detail: $"No call webhook {id}.");

    private static async Task<IResult> ReplayWebhook(long id, CallIntake intake)
    {
        var result = await intake.ReplayAsync(id, CancellationToken.None);
        return result.Status switch
        {
            IntakeStatus.Accepted => TypedResults.Text(result.AnswerJson!, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status202Accepted),
            IntakeStatus.Duplicate => TypedResults.Text(result.AnswerJson!, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status200OK),
            IntakeStatus.NotFound => TypedResults.Problem(statusCode: 404, title: "Unknown webhook", detail: $"No call webhook {id}."),
            _ => TypedResults.Problem(statusCode: 500, title: "Processing failed again", detail: result.Error),
        };
    }
}
