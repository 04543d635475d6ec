using System.Security.Claims;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Engine;
using FollowUp.Jobs.Messages;
using FollowUp.Web.Api.Idempotency;
using FollowUp.Web.Dashboard.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;

namespace FollowUp.Web.Api;

/// <summary>Ad-hoc messages, the message list and cancel, dead letters and requeue.</summary>
internal static class MessageEndpoints
{
    public static IEndpointRouteBuilder MapMessageApi(this IEndpointRouteBuilder app)
    {
        // POST /api/messages                      202 the planned message; 400 bad JSON, 404 unknown client, 422 invalid fields
        //                                         (Idempotency-Key: the same key and body again → the first response)
        // GET  /api/messages?client_id=&status=&kind=&channel=&to=&q=&from=&until=&before=&limit=
        //                                         200 { messages, next_before }, newest first; 422 a parameter named
        // GET  /api/messages/{id}                 200 the message (status, provider id, cost, error); 404
        // POST /api/messages/{id}/cancel          200 cancelled (job deleted, reason and actor recorded); 404; 409 past cancelling
        // GET  /api/dead-letters?before={id}      200 open dead letters, newest first, 100 a page
        // POST /api/dead-letters/{id}/requeue     202 requeued; 404 unknown; 409 already resolved
        // POST /api/jobs/{id}/requeue             202 requeued; 409 not in a requeueable state
        var api = app.MapGroup("/api").RequireAuthorization("api").Refuses(StatusCodes.Status401Unauthorized);
        api.MapPost("/messages", PostMessage).WithTags("Messages").Accepts<MessageRequest>("application/json").WithIdempotencyKey()
            .Produces<MessageInfo>(StatusCodes.Status202Accepted)
            .Refuses(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/messages", ListMessages).WithTags("Messages").Produces<MessagePage>().Refuses(StatusCodes.Status422UnprocessableEntity)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                MessageListQuery.Describe(operation);
                return Task.CompletedTask;
            });
        api.MapGet("/messages/{id:long}", GetMessage).WithTags("Messages").Refuses(StatusCodes.Status404NotFound);
        api.MapPost("/messages/{id:long}/cancel", CancelMessage).WithTags("Messages").Produces<MessageInfo>()
            .Refuses(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        // 400 when before is not a number (the parameter's binding).
        api.MapGet("/dead-letters", ListDeadLetters).WithTags("Dead letters").Refuses(StatusCodes.Status400BadRequest);
        api.MapPost("/dead-letters/{id:long}/requeue", RequeueDeadLetter).WithTags("Dead letters")
            .Refuses(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/requeue", RequeueJob).WithTags("Jobs").Refuses(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> PostMessage(HttpRequest request, IMessageClient messages, ClientStore clients, Npgsql.NpgsqlDataSource dataSource,
        CancellationToken cancellationToken)
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
        // The validator has accepted the channel's name: this is its one reading into a Channel.
        MessageInfo message;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            message = Channel.Parse(body.Channel!) == Channel.Sms
                ? await messages.SendSmsAsync(body.ClientId!, body.To!, body.Body!, sendAt, tx, cancellationToken)
                : await messages.SendEmailAsync(body.ClientId!, body.To!, body.Subject!, body.Body!, sendAt, tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        // Checkpoint: the message is committed, and that is the answer: its job is made by this node's
        // outbox loop, woken now (a message due now starts within milliseconds), not on this request's
        // path; if this node dies first, any node's loop makes it. So the answer's job_id is usually null
        // (GET /api/messages/{id} shows it once made).
        messages.RequestDispatch(new PlannedMessages([message.Id], [message.Id]));
        return TypedResults.Accepted($"/api/messages/{message.Id}", message);
    }

    private static async Task<Results<Ok<MessageInfo>, ProblemHttpResult>> GetMessage(long id, IMessageClient messages, CancellationToken cancellationToken) =>
        await messages.FindAsync(id, cancellationToken) is { } message
            ? TypedResults.Ok(message)
            : TypedResults.Problem(statusCode: 404, title: "Unknown message", detail: $"No message {id}.");

    private static async Task<IResult> ListMessages(HttpRequest request, MessageSearch search, CancellationToken cancellationToken)
    {
        var (filter, limit, errors) = MessageListQuery.Parse(request.Query);
        if (errors.Count > 0)
        {
            return ApiJson.ValidationProblem(new FluentValidation.Results.ValidationResult(errors));
        }

        var messages = await search.SearchAsync(filter, limit, cancellationToken);
        return TypedResults.Json(new MessagePage(messages, messages.Count == limit ? messages[^1].Id : null), ApiJson.Options);
    }

    private static async Task<IResult> CancelMessage(long id, IMessageClient messages, AuditLog audit, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var before = await messages.FindAsync(id, cancellationToken);
        if (before is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Unknown message", detail: $"No message {id}.");
        }

        var actor = user.Identity?.Name ?? "api";
        if (!await messages.CancelAsync(id, actor, CancellationToken.None))
        {
            var now = await messages.FindAsync(id, CancellationToken.None);
            return TypedResults.Problem(statusCode: 409, title: "Not cancellable",
                detail: $"Message {id} is {now?.Status ?? before.Status}: only a message that has not gone out (scheduled, or dead-lettered) can be cancelled.");
        }

        await audit.WriteAsync(actor, "message.cancel", $"message {id}", new { status = before.Status }, new { status = MessageStatus.Cancelled },
            CancellationToken.None);
        return TypedResults.Json(await messages.FindAsync(id, CancellationToken.None), ApiJson.Options);
    }

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
