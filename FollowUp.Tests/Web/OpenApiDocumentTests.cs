using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FollowUp.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Web;

/// <summary>/openapi/v1.json against the routes the app really maps.</summary>
public sealed partial class OpenApiDocumentTests : ApiTest
{
    protected override bool CreatesTestClients => false;

    private async Task<JsonElement> DocumentAsync()
    {
        using var anonymous = Api.Factory.CreateClient();
        var response = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Test]
    public async Task Document_ListsEveryApiRouteTheAppMaps_WithItsMethod()
    {
        var document = await DocumentAsync();
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .ToHashSet();
        var mapped = Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true
                        && !e.RoutePattern.RawText.StartsWith("/api/docs", StringComparison.Ordinal)) // the reference itself, a page
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => $"{m} {Constraint().Replace(e.RoutePattern.RawText!, "}")}"))
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(mapped, Has.Count.GreaterThanOrEqualTo(15), "the API's routes were found");
            Assert.That(mapped, Does.Contain("GET /api/appointments/{id}").And.Contain("POST /api/messages/{id}/cancel"));
            Assert.That(mapped.Where(r => !documented.Contains(r)), Is.Empty, "mapped but not in the document");
        });
    }

    [Test]
    public async Task Document_ApiOperations_RequireTheBearerKey_AndDescribeProblems()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        var operations = document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (Path: $"{m.Name} {p.Name}", Operation: m.Value))).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(scheme.GetProperty("type").GetString(), Is.EqualTo("http"));
            Assert.That(scheme.GetProperty("scheme").GetString(), Is.EqualTo("bearer"));
            foreach (var (path, operation) in operations)
            {
                Assert.That(operation.GetProperty("security")[0].TryGetProperty("Bearer", out _), Is.True, path);
                Assert.That(operation.GetProperty("responses").GetProperty("401").GetProperty("content")
                    .TryGetProperty("application/problem+json", out _), Is.True, path);
            }
        });
    }

    /// <summary>Each /api operation: its request body's schema (null: it takes none) and every refusal it can really answer with.</summary>
    private static readonly Dictionary<string, (string? Request, int[] Refusals)> Operations = new()
    {
        ["PUT /api/clients/{id}"] = ("ClientSettings", [400, 401, 409, 422]),
        ["GET /api/clients/{id}"] = (null, [401, 404]),
        ["GET /api/calls/{callId}"] = (null, [401, 404, 409]),
        ["GET /api/call-webhooks"] = (null, [400, 401]),
        ["GET /api/call-webhooks/{id}"] = (null, [401, 404]),
        ["POST /api/call-webhooks/{id}/replay"] = (null, [401, 404]),
        ["GET /api/conversations"] = (null, [401, 404, 422]),
        ["GET /api/appointments/{id}"] = (null, [401, 404, 422]),
        ["POST /api/appointments/{id}/cancel"] = (null, [401, 404, 409, 422]),
        ["POST /api/appointments/{id}/reschedule"] = ("RescheduleRequest", [400, 401, 404, 409, 422]),
        ["POST /api/messages"] = ("MessageRequest", [400, 401, 404, 409, 422]),
        ["GET /api/messages"] = (null, [401, 422]),
        ["GET /api/messages/{id}"] = (null, [401, 404]),
        ["POST /api/messages/{id}/cancel"] = (null, [401, 404, 409]),
        ["GET /api/dead-letters"] = (null, [400, 401]),
        ["POST /api/dead-letters/{id}/requeue"] = (null, [401, 404, 409]),
        ["POST /api/jobs/{id}/requeue"] = (null, [401, 409]),
    };

    private static List<(string Name, JsonElement Operation)> ApiOperations(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(m => ($"{m.Name.ToUpperInvariant()} {p.Name}", m.Value)))];

    private static string? Ref(JsonElement schema) => schema.TryGetProperty("$ref", out var r) ? r.GetString() : null;

    [Test]
    public async Task Document_EachApiOperation_DeclaresItsRequestSchema_AndExactlyItsRealRefusals_AsProblemDetails()
    {
        var document = await DocumentAsync();
        var operations = ApiOperations(document);
        var schemas = document.GetProperty("components").GetProperty("schemas");

        Assert.Multiple(() =>
        {
            Assert.That(schemas.GetProperty("ProblemDetails").GetProperty("properties").EnumerateObject().Select(p => p.Name),
                Is.SupersetOf(new[] { "type", "title", "status", "detail" }));
            Assert.That(schemas.GetProperty("HttpValidationProblemDetails").GetProperty("properties").EnumerateObject().Select(p => p.Name),
                Is.SupersetOf(new[] { "title", "status", "errors" }));
            Assert.That(operations.Select(o => o.Name), Is.EquivalentTo(Operations.Keys), "every operation is in the table above");
            foreach (var (name, operation) in operations)
            {
                if (!Operations.TryGetValue(name, out var expected))
                {
                    continue;
                }

                if (expected.Request is null)
                {
                    Assert.That(operation.TryGetProperty("requestBody", out _), Is.False, $"{name} takes no body");
                }
                else
                {
                    var schema = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
                    Assert.That(Ref(schema), Is.EqualTo($"#/components/schemas/{expected.Request}"), $"{name}'s request");
                }

                var refusals = operation.GetProperty("responses").EnumerateObject().Where(r => !r.Name.StartsWith('2')).ToList();
                Assert.That(refusals.Select(r => r.Name), Is.EquivalentTo(expected.Refusals.Select(s => s.ToString(CultureInfo.InvariantCulture))),
                    $"{name}'s refusals");
                foreach (var refusal in refusals)
                {
                    var schema = refusal.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
                    Assert.That(Ref(schema), Is.EqualTo(refusal.Name == "422"
                        ? "#/components/schemas/HttpValidationProblemDetails"
                        : "#/components/schemas/ProblemDetails"), $"{name} {refusal.Name}");
                    Assert.That(refusal.Value.GetProperty("description").GetString(), Does.Not.Contain("Bad Request").And.Length.GreaterThan(20),
                        $"{name} {refusal.Name} says what it means");
                }
            }
        });
    }

    /// <summary>A real refusal of each kind, answered with the status the document declares for its operation.</summary>
    [TestCase("GET", "/api/clients/nobody", null, "GET /api/clients/{id}", 404)]
    [TestCase("PUT", "/api/clients/acme-dental", "{ not json", "PUT /api/clients/{id}", 400)]
    [TestCase("PUT", "/api/clients/acme-dental", "{}", "PUT /api/clients/{id}", 422)]
    [TestCase("GET", "/api/calls/call_nobody", null, "GET /api/calls/{callId}", 404)]
    [TestCase("GET", "/api/call-webhooks?status=lost", null, "GET /api/call-webhooks", 400)]
    [TestCase("GET", "/api/call-webhooks/987654", null, "GET /api/call-webhooks/{id}", 404)]
    [TestCase("POST", "/api/call-webhooks/987654/replay", null, "POST /api/call-webhooks/{id}/replay", 404)]
    [TestCase("GET", "/api/conversations?phone=12", null, "GET /api/conversations", 422)]
    [TestCase("GET", "/api/appointments/apt_1", null, "GET /api/appointments/{id}", 422)]
    [TestCase("POST", "/api/appointments/apt_1/cancel?client_id=nobody", null, "POST /api/appointments/{id}/cancel", 404)]
    [TestCase("POST", "/api/appointments/apt_1/reschedule?client_id=nobody", "{ \"starts_at\": \"soon\" }", "POST /api/appointments/{id}/reschedule", 422)]
    [TestCase("POST", "/api/messages", "[", "POST /api/messages", 400)]
    [TestCase("POST", "/api/messages", "{ \"client_id\": \"nobody\", \"channel\": \"sms\", \"to\": \"+12125550123\", \"body\": \"Hi\" }", "POST /api/messages", 404)]
    [TestCase("GET", "/api/messages?status=lost", null, "GET /api/messages", 422)]
    [TestCase("GET", "/api/messages/987654", null, "GET /api/messages/{id}", 404)]
    [TestCase("POST", "/api/messages/987654/cancel", null, "POST /api/messages/{id}/cancel", 404)]
    [TestCase("GET", "/api/dead-letters?before=yesterday", null, "GET /api/dead-letters", 400)]
    [TestCase("POST", "/api/dead-letters/987654/requeue", null, "POST /api/dead-letters/{id}/requeue", 404)]
    [TestCase("POST", "/api/jobs/987654/requeue", null, "POST /api/jobs/{id}/requeue", 409)]
    public async Task Refusal_IsAProblemDocument_WithAStatusTheOperationDeclares(string method, string url, string? body, string operation, int status)
    {
        var declared = ApiOperations(await DocumentAsync()).Single(o => o.Name == operation).Operation.GetProperty("responses");
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await Api.Client.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(status), await response.Content.ReadAsStringAsync());
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(declared.TryGetProperty(status.ToString(CultureInfo.InvariantCulture), out _), Is.True,
                $"{operation} declares {status}");
        });
    }

    [Test]
    public async Task Refusal_ParameterThatDoesNotBind_400NamingTheParameterAndValue()
    {
        var response = await Api.Client.GetAsync(new Uri("/api/dead-letters?before=yesterday", UriKind.Relative));

        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Malformed request"));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("before").And.Contain("yesterday"));
        });
    }

    [Test]
    public async Task Document_MessageList_DescribesEveryQueryParameterItParses()
    {
        var list = (await DocumentAsync()).GetProperty("paths").GetProperty("/api/messages").GetProperty("get");
        var parameters = list.GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p);

        Assert.Multiple(() =>
        {
            Assert.That(parameters.Keys, Is.EquivalentTo(new[] { "client_id", "status", "kind", "channel", "to", "q", "from", "until", "before", "limit" }));
            Assert.That(parameters.Values.Select(p => p.GetProperty("in").GetString()), Is.All.EqualTo("query"));
            Assert.That(parameters["channel"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()),
                Is.EqualTo(new[] { "sms", "email" }));
            Assert.That(parameters["limit"].GetProperty("schema").GetProperty("maximum").GetRawText(), Is.EqualTo("100"));
        });
    }

    [Test]
    public async Task Document_HasNoSecret()
    {
        var text = (await DocumentAsync()).ToString();
        Assert.That(text, Does.Not.Contain(ApiHost.ApiKey));
    }

    // "{id:long}" → "{id}": the document names parameters without their route constraints.
    [GeneratedRegex(@":[^}]+\}")]
    private static partial Regex Constraint();
}
