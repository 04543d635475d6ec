using FollowUp.Jobs;
using FollowUp.Web.Api;
using FollowUp.Web.Auth;
using FollowUp.Web.Health;
using FollowUp.Web.Webhooks;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddFollowUpJobs(builder.Configuration);
builder.Services.AddFollowUpApiAuth(builder.Configuration);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
builder.Services.AddOpenApi();

var app = builder.Build();
// A problem+json 500 in every environment: the developer exception page would echo request headers,
// API keys among them.
app.UseExceptionHandler();
app.UseAuthentication();
app.UseAuthorization();
app.MapFollowUpHealth();
app.MapClientApi();
app.MapMessageApi();
app.MapCallApi();
app.MapSendGridWebhooks();
app.MapTwilioWebhooks();
app.MapCallWebhooks();
app.MapOpenApi(); // GET /openapi/v1.json
app.MapGet("/", () => TypedResults.Text("FollowUp job server. Health: /health/live, /health/ready\n"));
app.Run();

/// <summary>Entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
