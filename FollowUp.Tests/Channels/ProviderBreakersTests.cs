using System.Diagnostics.Metrics;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace FollowUp.Tests.Channels;

/// <summary>The breakers as the operator's monitoring sees them: one gauge per provider, read by a real <see cref="MeterListener"/>.</summary>
public sealed class ProviderBreakersTests
{
    [Test]
    public async Task BreakerStateGauge_ClosedThenOpenAfterTheThreshold_PerProvider()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new FollowUpMetrics(services.GetRequiredService<IMeterFactory>());
        var breakers = new ProviderBreakers(Options.Create(new BreakerOptions { FailureThreshold = 2, SamplingSeconds = 30, BreakSeconds = 600 }),
            SystemClock.Instance, NullLogger<ProviderBreakers>.Instance, metrics);
        var seen = new Dictionary<string, int>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == metrics.Meter && instrument.Name == "followup.provider.breaker.state")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => seen[(string)tags.ToArray().Single(t => t.Key == "followup.provider").Value!] = value);
        listener.Start();

        await breakers.ExecuteAsync("smtp", _ => ValueTask.FromResult(1), CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            Assert.ThrowsAsync<ProviderSendException>(async () => await breakers.ExecuteAsync<int>("twilio",
                _ => throw new ProviderSendException("twilio", SendFailureKind.Transient, "503"), CancellationToken.None));
        }

        listener.RecordObservableInstruments();

        Assert.That(seen, Is.EqualTo(new Dictionary<string, int> { ["smtp"] = 0, ["twilio"] = 2 }), "smtp closed, twilio open after two transient failures");
    }
}
