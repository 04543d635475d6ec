using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using Polly;
using Polly.CircuitBreaker;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// <c>FollowUp:Providers:Breaker</c>: when a provider's circuit breaker opens. Validated at start-up.
/// </summary>
public sealed class BreakerOptions
{
    public const string Section = "FollowUp:Providers:Breaker";

    /// <summary>Failed calls within <see cref="SamplingSeconds"/> (and at least half of them) that open the breaker (2–1000).</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>The window the failures are counted in (1–3600 s).</summary>
    public int SamplingSeconds { get; set; } = 30;

    /// <summary>How long an open breaker skips its provider before one probe is let through (1–3600 s).</summary>
    public int BreakSeconds { get; set; } = 60;

    internal sealed class Validator : IValidateOptions<BreakerOptions>
    {
        public ValidateOptionsResult Validate(string? name, BreakerOptions options)
        {
            var errors = new List<string>();
            OptionChecks.Range(errors, Section, nameof(FailureThreshold), options.FailureThreshold, 2, 1000);
            OptionChecks.Range(errors, Section, nameof(SamplingSeconds), options.SamplingSeconds, 1, 3600);
            OptionChecks.Range(errors, Section, nameof(BreakSeconds), options.BreakSeconds, 1, 3600);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

/// <summary>A provider's breaker as the overview shows it: "twilio: open since 10:02, 41 sends rerouted".</summary>
/// <param name="Provider">The provider's name.</param>
/// <param name="State">closed, open, half-open (one probe is let through) or isolated.</param>
/// <param name="OpenedAt">When it last opened, while it is not closed.</param>
/// <param name="Rerouted">Sends passed to the next provider because it was open, since it last opened.</param>
public sealed record BreakerState(string Provider, string State, Instant? OpenedAt, long Rerouted);

/// <summary>
/// One circuit breaker per provider (Polly's), shared by every send of this process: after
/// <see cref="BreakerOptions.FailureThreshold"/> transient failures in <see cref="BreakerOptions.SamplingSeconds"/>
/// the provider is skipped — its sends go to the next provider of the channel as a failover — for
/// <see cref="BreakerOptions.BreakSeconds"/>; then one probe goes through, and a success closes it. Timeouts count:
/// a provider that hangs is as broken as one that refuses. A permanent failure (a bad number) says nothing
/// of the provider's health and does not count. The last provider an attempt has left is always tried,
/// breaker or not: with nowhere to reroute, skipping it would only fail the attempt untried (so a channel
/// with a single provider never skips it). Each node has its own breakers (what it has seen), published as
/// the gauge <c>followup.provider.breaker.state</c> (0 closed, 1 half-open, 2 open, 3 isolated) per provider.
/// </summary>
public sealed class ProviderBreakers
{
    private readonly ConcurrentDictionary<string, Breaker> _breakers = new(StringComparer.Ordinal);
    private readonly IOptions<BreakerOptions> _options;
    private readonly IClock _clock;
    private readonly ILogger<ProviderBreakers> _logger;

    public ProviderBreakers(IOptions<BreakerOptions> options, IClock clock, ILogger<ProviderBreakers> logger, Telemetry.FollowUpMetrics? metrics = null)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        metrics?.Meter.CreateObservableGauge("followup.provider.breaker.state",
            () => States().Select(b => new System.Diagnostics.Metrics.Measurement<int>(StateValue(b.State), new KeyValuePair<string, object?>("followup.provider", b.Provider))),
            "{state}", "Each provider's circuit breaker on this node: 0 closed, 1 half-open (one probe goes through), 2 open (skipped), 3 isolated");
    }

    private static int StateValue(string state) => state switch
    {
        "closed" => 0,
        "half-open" => 1,
        "open" => 2,
        _ => 3,
    };

    /// <summary>Every provider's breaker that has been used, by name.</summary>
    public IReadOnlyList<BreakerState> States() =>
        [.. _breakers.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => b.Value.Snapshot(b.Key))];

    /// <summary>Runs <paramref name="call"/> through <paramref name="provider"/>'s breaker.</summary>
    /// <exception cref="BrokenCircuitException">The breaker is open: the provider was not called.</exception>
    internal ValueTask<T> ExecuteAsync<T>(string provider, Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken) =>
        _breakers.GetOrAdd(provider, name => new Breaker(name, _options.Value, _clock, _logger)).Pipeline.ExecuteAsync(call, cancellationToken);

    /// <summary>Counts one send passed over because <paramref name="provider"/>'s breaker is open.</summary>
    internal void Rerouted(string provider)
    {
        if (_breakers.TryGetValue(provider, out var breaker))
        {
            Interlocked.Increment(ref breaker.ReroutedCount);
        }
    }

    private sealed class Breaker
    {
        private readonly CircuitBreakerStateProvider _state = new();
        private long _openedAtTicks;
        public long ReroutedCount;

        public Breaker(string name, BreakerOptions options, IClock clock, ILogger logger)
        {
            Pipeline = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = options.FailureThreshold,
                SamplingDuration = TimeSpan.FromSeconds(Math.Max(1, options.SamplingSeconds)),
                BreakDuration = TimeSpan.FromSeconds(Math.Max(1, options.BreakSeconds)),
                ShouldHandle = new PredicateBuilder().Handle<ProviderSendException>(ex => ex.Kind == SendFailureKind.Transient),
                StateProvider = _state,
                OnOpened = args =>
                {
                    Interlocked.Exchange(ref _openedAtTicks, clock.GetCurrentInstant().ToUnixTimeTicks());
                    Interlocked.Exchange(ref ReroutedCount, 0);
                    logger.LogWarning("Provider {Provider}'s breaker opened for {Break}: its sends go to the next provider", name, args.BreakDuration);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    logger.LogInformation("Provider {Provider}'s breaker is half-open: one probe goes through", name);
                    return default;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("Provider {Provider}'s breaker closed: it sends again", name);
                    return default;
                },
            }).Build();
        }

        public ResiliencePipeline Pipeline { get; }

        public BreakerState Snapshot(string name)
        {
            var state = _state.CircuitState switch
            {
                CircuitState.Closed => "closed",
                CircuitState.Open => "open",
                CircuitState.HalfOpen => "half-open",
                _ => "isolated",
            };
            var opened = Interlocked.Read(ref _openedAtTicks);
            return new BreakerState(name, state, state == "closed" || opened == 0 ? null : Instant.FromUnixTimeTicks(opened), Interlocked.Read(ref ReroutedCount));
        }
    }
}
