namespace FollowUp.Web.Telemetry;

/// <summary>
/// <c>FollowUp:Telemetry</c>. Telemetry is off unless one of these, or the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, turns it on (docs/OPERATIONS.md).
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "FollowUp:Telemetry";

    /// <summary>Collect traces and metrics even with no exporter configured (for an exporter added in code).</summary>
    public bool Enabled { get; set; }

    /// <summary>The Prometheus scrape endpoint, <c>/metrics</c>.</summary>
    public PrometheusOptions Prometheus { get; set; } = new();

    /// <summary>
    /// <c>FollowUp:Telemetry:Prometheus</c>: off by default; on, <c>/metrics</c> answers only with an API key
    /// (<c>Authorization: Bearer …</c>) unless <see cref="Port"/> names a separate port, where it answers
    /// without one (and nowhere else): keep that port off the public network.
    /// </summary>
    public sealed class PrometheusOptions
    {
        public bool Enabled { get; set; }

        /// <summary>A port of its own for <c>/metrics</c> (1–65535), or null: behind the API key on the app's port.</summary>
        public int? Port { get; set; }
    }
}
