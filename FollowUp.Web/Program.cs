using FollowUp.Jobs;
using FollowUp.Web.Health;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddFollowUpJobs(builder.Configuration);

var app = builder.Build();
app.MapFollowUpHealth();
app.MapGet("/", () => TypedResults.Text("FollowUp job server. Health: /health/live, /health/ready\n"));
app.Run();

/// <summary>Entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
