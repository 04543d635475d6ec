using FollowUp.Jobs;
using FollowUp.Web.Api;
using FollowUp.Web.Api.Idempotency;
using FollowUp.Web.Auth;
using FollowUp.Web.Dashboard;
using FollowUp.Web.Dashboard.Overview;
using FollowUp.Web.Health;
using FollowUp.Web.Proxy;
using FollowUp.Web.Telemetry;
using FollowUp.Web.Unsubscribe;
using FollowUp.Web.Webhooks;

var builder = WebApplication.CreateBuilder(args);
builder.AddFollowUpTelemetry(); // off unless configured: OTEL_EXPORTER_OTLP_ENDPOINT, FollowUp:Telemetry (docs/OPERATIONS.md)
builder.Services.AddFollowUpJobs(builder.Configuration);
builder.Services.AddFollowUpApiAuth(builder.Configuration);
builder.Services.AddFollowUpApi();
builder.Services.AddFollowUpDashboard(builder.Configuration);
builder.Services.AddWebhookLimits(builder.Configuration);
builder.Services.AddFollowUpProxy(builder.Configuration);
builder.Services.AddControllers() // the webhooks (Webhooks/); the /api endpoints stay minimal APIs (Api/)
    .ConfigureApplicationPartManager(m => m.FeatureProviders.Add(new WebhookControllers()));
builder.Services.AddProblemDetails();
builder.Services.AddRequestProblems(); // 415s, Kestrel's 400s, text that cannot be stored: problem documents
builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
builder.Services.AddOpenApi(o => o.AddOperationTransformer<RawBodyOpenApi>().AddDocumentTransformer<ApiOpenApi>().AddOperationTransformer<ApiOpenApi>());

var app = builder.Build();
app.UseFollowUpProxy(); // forwarded headers from configured proxies only, then HSTS on HTTPS
// A problem+json 500 in every environment: the developer exception page would echo request headers,
// API keys among them.
app.UseExceptionHandler();
app.UseWebhookRejectionMetrics(); // followup.webhooks.rejected by reason, whoever below refuses
app.UseRequestProblems();
app.UseDashboardSecurityHeaders();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter(); // webhooks: beyond the node's limits, 503 with Retry-After; sign-in: per address, 429
app.UseIdempotencyKeys(); // after authorization: a key's replies are the API key's own
app.MapFollowUpHealth();
app.MapFollowUpMetrics(); // /metrics for Prometheus, when on: behind the API key, or on a port of its own
app.MapClientApi();
app.MapMessageApi();
app.MapAppointmentApi();
app.MapCallApi();
app.MapConversationApi();
app.MapUnsubscribe(); // GET/POST /unsubscribe/{token}: marketing email's one-click link (RFC 8058)
app.MapControllers();
app.MapRazorPages(); // the dashboard, /dashboard
app.MapFollowUpHangfireDashboard(); // the stock Hangfire dashboard, /hangfire, behind the same sign-in
app.MapDashboardLive();
app.MapOpenApi(); // GET /openapi/v1.json
app.MapFollowUpApiReference(); // GET /api/docs: the interactive reference, for signed-in dashboard users
app.MapGet("/", () => TypedResults.Text("FollowUp job server. Dashboard: /dashboard. Health: /health/live, /health/ready\n"));
app.Run();

/// <summary>Entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
