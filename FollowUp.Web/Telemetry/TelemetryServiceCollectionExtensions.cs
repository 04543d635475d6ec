using FollowUp.Jobs.Telemetry;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FollowUp.Web.Telemetry;

/// <summary>
/// OpenTelemetry for the web app, off unless configured: traces and metrics of FollowUp (its source and
/// meter <c>FollowUp</c>), ASP.NET Core, outgoing HTTP (providers, notifications), Npgsql and the .NET
/// runtime; exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard <c>OTEL_*</c>
/// variables name the service, its resource attributes and the protocol), scraped by Prometheus at
/// <c>/metrics</c> when <c>FollowUp:Telemetry:Prometheus:Enabled</c>. Logs carry the trace and span ids.
/// </summary>
internal static class TelemetryServiceCollectionExtensions
{
    private const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddFollowUpTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        builder.Services.AddOptions<TelemetryOptions>().Bind(builder.Configuration.GetSection(TelemetryOptions.Section))
            .Validate(o => o.Prometheus.Port is null or (> 0 and <= 65535), $"{TelemetryOptions.Section}:Prometheus:Port must be 1–65535.")
            .ValidateOnStart();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpoint]);
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            Microsoft.Extensions.Logging.ActivityTrackingOptions.TraceId | Microsoft.Extensions.Logging.ActivityTrackingOptions.SpanId);
        if (!otlp && !options.Enabled && !options.Prometheus.Enabled)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r =>
            {
                if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    r.AddService("followup");
                }
            })
            .WithTracing(t => t
                .AddSource(FollowUpTelemetry.Name)
                // The Anthropic SDK's spans of AI-written follow-ups (metadata only: model, tokens, timing).
                .AddSource("com.anthropic.sdk.csharp")
                .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/metrics") && !c.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(m =>
            {
                m.AddMeter(FollowUpTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (options.Prometheus.Enabled)
                {
                    m.AddPrometheusExporter();
                }
            });
        if (otlp)
        {
            // Every signal, logs with their trace ids included, to the endpoint the OTEL_* variables name.
            telemetry.UseOtlpExporter();
        }

        if (options.Prometheus.Port is { } port)
        {
            // /metrics on a port of its own, beside the app's own addresses.
            var urls = builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? "http://localhost:5000";
            builder.WebHost.UseUrls([.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries), $"http://*:{port}"]);
        }

        return builder;
    }

    /// <summary>Maps <c>/metrics</c> when Prometheus is on: on its own port without a key, else behind the API key.</summary>
    public static WebApplication MapFollowUpMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!options.Prometheus.Enabled)
        {
            return app;
        }

        var endpoint = app.MapPrometheusScrapingEndpoint("/metrics");
        if (options.Prometheus.Port is { } port)
        {
            endpoint.RequireHost($"*:{port}");
        }
        else
        {
            endpoint.RequireAuthorization("api");
        }

        return app;
    }
}
