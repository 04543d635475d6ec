using System.Security.Claims;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;

namespace FollowUp.Web.Api;

/// <summary>Ad-hoc messages, dead letters and requeue.</summary>
internal static class MessageEndpoints
{
    public static IEndpointRouteBuilder MapMessageApi(this IEndpointRouteBuilder app)
    {
        // POST /api/messages                      202 the planned message; 400 bad JSON, 404 unknown client, 422 invalid fields
        // GET  /api/messages/{id}                 200 the message (status, provider id, cost, error); 404
        // GET  /api/dead-letters?before={id}      200 open dead letters, newest first, 100 a page
        // POST /api/dead-letters/{id}/requeue     202 requeued; 404 unknown; 409 already resolved
        // POST /api/jobs/{id}/requeue             202 requeued; 409 not in a requeueable state
        var api = app.MapGroup("/api").RequireAuthorization("api");
        api.MapPost("/messages", PostMessage).WithTags("Messages").Accepts<MessageRequest>("application/json");
        api.MapGet("/messages/{id:long}", GetMessage).WithTags("Messages");
        api.MapGet("/dead-letters", ListDeadLetters).WithTags("Dead letters");
        api.MapPost("/dead-letters/{id:long}/requeue", RequeueDeadLetter).WithTags("Dead letters");
        api.MapPost("/jobs/{id:long}/requeue", RequeueJob).WithTags("Jobs");
        return app;
    }

    private static async Task<IResult> PostMessage(HttpRequest request, IMessageClient messages, ClientStore clients, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiJson.ReadAsync<MessageRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var validation = await new MessageRequestValidator().ValidateAsync(body!, cancellationToken);
        if (!validation.IsValid)
        {
            return ApiJson.ValidationProblem(validation);
        }

        if (!await clients.ExistsAsync(body!.ClientId!, cancellationToken))
        {
            return TypedResults.Problem(statusCode: 404, title: "Unknown client", detail: $"No client '{body.ClientId}'.");
        }

        Instant? sendAt = body.SendAt is { } at ? Instant.FromDateTimeOffset(at) : null;
        var message = body.Channel == "sms"
            ? await messages.SendSmsAsync(body.ClientId!, body.To!, body.Body!, sendAt, null, cancellationToken)
            : await messages.SendEmailAsync(body.ClientId!, body.To!, body.Subject!, body.Body!, sendAt, null, cancellationToken);
        return TypedResults.Accepted($"/api/messages/{message.Id}", message);
    }

    private static async Task<Results<Ok<MessageInfo>, ProblemHttpResult>> GetMessage(long id, IMessageClient messages, CancellationToken cancellationToken) =>
        await messages.FindAsync(id, cancellationToken) is { } message
            ? TypedResults.Ok(message)
            : TypedResults.Problem(statusCode: 404, title: "Unknown message", detail: $"No message {id}.");

    private static async Task<Ok<IReadOnlyList<DeadLetter>>> ListDeadLetters(long? before, DeadLetters deadLetters, CancellationToken cancellationToken) =>
        TypedResults.Ok(await deadLetters.ListOpenAsync(100, before, cancellationToken));

    private static async Task<IResult> RequeueDeadLetter(long id, DeadLetters deadLetters, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var letter = await deadLetters.FindAsync(id, cancellationToken);
        if (letter is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Unknown dead letter", detail: $"No dead letter {id}.");
        }

        return await deadLetters.RequeueAsync(id, user.Identity?.Name ?? "api", cancellationToken)
            ? TypedResults.Accepted($"/hangfire/jobs/details/{letter.JobId}", new { job_id = letter.JobId })
            : TypedResults.Problem(statusCode: 409, title: "Already resolved", detail: $"Dead letter {id} was {letter.Resolution?.ToLowerInvariant()} already.");
    }

    private static IResult RequeueJob(long id, DeadLetters deadLetters, ClaimsPrincipal user) =>
        deadLetters.RequeueJob(id, user.Identity?.Name ?? "api")
            ? TypedResults.Accepted($"/hangfire/jobs/details/{id}", new { job_id = id })
            : TypedResults.Problem(statusCode: 409, title: "Not requeueable",
                detail: $"Job {id} does not exist or is not Failed, Succeeded or Deleted.");
}
