using FluentValidation.Results;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Conversations;

namespace FollowUp.Web.Api;

/// <summary>Conversations: a client and a customer's phone, outbound messages and inbound replies in time order.</summary>
internal static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapConversationApi(this IEndpointRouteBuilder app)
    {
        // GET /api/conversations?client_id=&phone=     200 the conversation (latest 500 entries, oldest first); 404 unknown client;
        //                                              422 client_id or phone missing or invalid
        // GET /api/conversations?client_id=&search=    200 conversations, latest reply first (phone omitted): 50 at most
        app.MapGet("/api/conversations", Get).RequireAuthorization("api").WithTags("Conversations")
            .Refuses(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    private static async Task<IResult> Get(HttpRequest request, ConversationQueries conversations, CancellationToken cancellationToken)
    {
        var clientId = request.Query["client_id"].ToString();
        var phone = request.Query["phone"].ToString();
        var search = request.Query["search"].ToString();
        var errors = new List<ValidationFailure>();
        if (phone.Length > 0)
        {
            // Stored numbers are E.164; a query written "+1 (212) 555-0123" finds them too.
            if (E164.TryNormalize(phone, out var e164, out var problem))
            {
                phone = e164;
            }
            else
            {
                errors.Add(new ValidationFailure("phone", problem));
            }
        }

        if (phone.Length > 0 && clientId.Length == 0)
        {
            errors.Add(new ValidationFailure("client_id", "is required with phone: a conversation is a client and a phone"));
        }

        if (search.Length > 100)
        {
            errors.Add(new ValidationFailure("search", "must be at most 100 characters"));
        }

        if (errors.Count > 0)
        {
            return ApiJson.ValidationProblem(new ValidationResult(errors));
        }

        if (phone.Length == 0)
        {
            return TypedResults.Json(await conversations.ListAsync(clientId.Length == 0 ? null : clientId, search, 50, cancellationToken), ApiJson.Options);
        }

        return await conversations.ThreadAsync(clientId, phone, cancellationToken) is { } thread
            ? TypedResults.Json(thread, ApiJson.Options)
            : TypedResults.Problem(statusCode: 404, title: "Unknown client", detail: $"No client '{clientId}'.");
    }
}
