using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FollowUp.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Web;

/// <summary>/openapi/v1.json against the routes the app really maps.</summary>
public sealed partial class OpenApiDocumentTests
{
    private TestDatabase _db = null!;
    private ApiHost _api = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync();
        _api = ApiHost.Start(_db);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _api.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var anonymous = _api.Factory.CreateClient();
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
        var mapped = _api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
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
