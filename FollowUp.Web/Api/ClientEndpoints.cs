using System.Text.RegularExpressions;
using FollowUp.Jobs.Calls;
using FollowUp.Jobs.Clients;
using Microsoft.AspNetCore.Http.HttpResults;
using FollowUp.Jobs.Templates;
using FollowUp.Web.Api.Idempotency;

namespace FollowUp.Web.Api;

/// <summary>Clients: create or replace, and read (never the webhook secret).</summary>
internal static partial class ClientEndpoints
{
    public static IEndpointRouteBuilder MapClientApi(this IEndpointRouteBuilder app)
    {
        // PUT /api/clients/{id}   create (201) or replace (200); 400 bad JSON or id, 422 invalid fields
        // GET /api/clients/{id}   200 the client without its secret, with template_previews (SMS and segments per kind); 404 unknown
        var group = app.MapGroup("/api/clients").RequireAuthorization("api").Refuses(StatusCodes.Status401Unauthorized).WithTags("Clients");
        group.MapPut("/{id}", PutClient).Accepts<ClientSettings>("application/json").WithIdempotencyKey()
            .Produces<ClientSettings>(StatusCodes.Status201Created).Produces<ClientSettings>()
            .Refuses(StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", GetClient).Refuses(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> PutClient(string id, HttpRequest request, ClientStore clients, CancellationToken cancellationToken)
    {
        if (!IdPattern().IsMatch(id))
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid client id",
                detail: "A client id is 1-63 lower-case letters, digits and hyphens, starting with a letter or digit.");
        }

        var (settings, problem) = await ApiJson.ReadAsync<ClientSettings>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var creating = !await clients.ExistsAsync(id, cancellationToken);
        var validation = await new ClientSettingsValidator(creating).ValidateAsync(settings!, cancellationToken);
        if (settings!.Notifications is { Secret: null } && !await clients.HasNotificationSecretAsync(id, cancellationToken))
        {
            validation.Errors.Add(new FluentValidation.Results.ValidationFailure("notifications.secret",
                "is required the first time a notification URL is set"));
        }

        if (settings.SmsRoute is { Secret: null } && !await clients.HasSmsRouteSecretAsync(id, cancellationToken))
        {
            validation.Errors.Add(new FluentValidation.Results.ValidationFailure("sms_route.secret",
                "is required the first time an SMS route is set"));
        }

        if (!validation.IsValid)
        {
            return ApiJson.ValidationProblem(validation);
        }

        // Stored as E.164, the form inbound SMS are matched against ("+1 (212) 555-0100" → "+12125550100").
        settings = settings! with { SmsFrom = settings.SmsFrom is { } from ? Jobs.Channels.E164.Normalize(from) : null };
        var created = await clients.UpsertAsync(id, settings, cancellationToken);
        var stored = WithPreviews((await clients.FindAsync(id, cancellationToken))!);
        return created
            ? TypedResults.Created($"/api/clients/{id}", stored)
            : TypedResults.Ok(stored);
    }

    private static async Task<Results<Ok<ClientSettings>, ProblemHttpResult>> GetClient(string id, ClientStore clients, CancellationToken cancellationToken)
    {
        var client = await clients.FindAsync(id, cancellationToken);
        return client is null
            ? TypedResults.Problem(statusCode: 404, title: "Unknown client", detail: $"No client '{id}'.")
            : TypedResults.Ok(WithPreviews(client));
    }

    // Every kind's SMS as a customer would get it, with its segment count: what a template costs shows before it is sent.
    private static ClientSettings WithPreviews(ClientSettings client) => client with { TemplatePreviews = TemplatePreviews.For(client) };

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();
}
