using System.Diagnostics;
using FollowUp.Jobs.Telemetry;
using Microsoft.Extensions.Logging;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// One channel's providers in failover order: the configured ones (registration order, reordered by
/// <see cref="ChannelOptions.Providers"/>), or the sandbox when none is configured. On a transient
/// failure the next provider is tried, on a permanent one (the recipient or content is wrong) nobody
/// else is; the last transient failure is rethrown for the engine's retry. A failure that may have been
/// sent (a 5xx, a timeout after the request went out, a connection lost after SMTP DATA) is not failed
/// over either: the next provider would deliver a second copy for certain, while the retry, a minute
/// later, first finds out whether the first one went. Each provider waits for its own rate limit.
/// </summary>
internal sealed class ProviderChain<TProvider>
    where TProvider : IChannelProvider
{
    private readonly IReadOnlyList<TProvider> _providers;
    private readonly ProviderRateLimiters _limiters;
    private readonly ILogger _logger;
    private readonly Channel _channel;
    private readonly FollowUpMetrics? _metrics;

    private readonly ProviderBreakers? _breakers;

    public ProviderChain(IEnumerable<TProvider> registered, TProvider sandbox, ChannelOptions order, ProviderRateLimiters limiters, ILogger logger,
        Channel channel, FollowUpMetrics? metrics, ProviderBreakers? breakers = null)
    {
        _breakers = breakers;
        _channel = channel;
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(order);
        // The sandbox is never registered as one of the channel's providers, but a registration of it
        // (a test's, say) must not put it in front of a real one.
        var configured = order.Order(registered.Where(p => p.IsConfigured && p.GetType() != sandbox.GetType()), p => p.Name);
        _providers = configured.Count == 0 ? [sandbox] : configured;
        _limiters = limiters;
        _logger = logger;
    }

    /// <summary>The providers in the order they are tried.</summary>
    public IReadOnlyList<TProvider> Providers => _providers;

    /// <summary>
    /// Sends through the first provider that accepts; <paramref name="onFailover"/> records each provider
    /// passed over (its name and why) before the next is tried.
    /// </summary>
    public async Task<ProviderReceipt> SendAsync(
        Func<TProvider, CancellationToken, Task<ProviderReceipt>> send, Func<string, ProviderSendException, Task> onFailover,
        CancellationToken cancellationToken, IReadOnlySet<string>? skip = null, IReadOnlyList<string>? order = null)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(onFailover);
        ProviderSendException? last = null;
        var candidates = InOrder(order).Where(p => skip is null || !skip.Contains(p.Name)).ToList();
        foreach (var provider in candidates)
        {
            await _limiters.WaitAsync(provider.Name, cancellationToken);
            try
            {
                // The last road of the attempt is always tried: skipping it for its breaker would only fail
                // the attempt without a try (a channel with one provider has nothing to reroute to).
                if (_breakers is null || ReferenceEquals(provider, candidates[^1]))
                {
                    return await ObservedAsync(provider, "send", () => send(provider, cancellationToken));
                }

                return await _breakers.ExecuteAsync(provider.Name,
                    async ct => await ObservedAsync(provider, "send", () => send(provider, ct)), cancellationToken);
            }
            catch (Polly.CircuitBreaker.BrokenCircuitException ex)
            {
                // Its breaker is open: not called, so nothing was sent; the next provider takes the message.
                last = new ProviderSendException(provider.Name, SendFailureKind.Transient,
                    $"{provider.Name}'s circuit breaker is open after repeated failures; not tried", "breaker_open", mayHaveBeenSent: false, ex);
                _breakers!.Rerouted(provider.Name);
                _metrics?.Failover(provider.Name, _channel.Name);
                await onFailover(provider.Name, last);
            }
            catch (ProviderSendException ex) when (ex.Kind == SendFailureKind.Transient && !ex.MayHaveBeenSent)
            {
                last = ex;
                _logger.LogWarning("Provider {Provider} failed ({Code}): {Message}; trying the next one", provider.Name, ex.ErrorCode, PersonalData.Redact(ex.Message));
                _metrics?.Failover(provider.Name, _channel.Name);
                await onFailover(provider.Name, ex);
            }
        }

        throw last ?? new ProviderSendException(_channel.Name, SendFailureKind.Transient, "No provider is left to try for this attempt.", "no_provider");
    }

    /// <summary>
    /// The providers to try: the configured ones in <paramref name="order"/> (a client's own order: only those
    /// it lists), or the channel's order when none is given.
    /// </summary>
    /// <exception cref="ProviderSendException">None of the providers the order lists is configured here.</exception>
    private IEnumerable<TProvider> InOrder(IReadOnlyList<string>? order)
    {
        if (order is null)
        {
            return _providers;
        }

        var listed = order.Select(name => _providers.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            .OfType<TProvider>().ToList();
        return listed.Count > 0
            ? listed
            : throw new ProviderSendException(_channel.Name, SendFailureKind.Transient,
                $"None of the client's providers ({string.Join(", ", order)}) is configured on this node.", "no_provider");
    }

    /// <summary>
    /// One provider call (<paramref name="operation"/>: a send or a lookup) as a span <c>{operation} {provider}</c>
    /// — the HTTP client's span, when the provider speaks HTTP, is its child — and as the provider duration
    /// and error metrics.
    /// </summary>
    public async Task<T> ObservedAsync<T>(TProvider provider, string operation, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(call);
        using var activity = FollowUpTelemetry.Source.StartActivity($"{operation} {provider.Name}", ActivityKind.Client);
        activity?.SetTag("followup.provider", provider.Name);
        activity?.SetTag("followup.channel", _channel.Name);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call();
            _metrics?.ProviderCall(provider.Name, _channel.Name, operation, "ok", Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (ProviderSendException ex)
        {
            var kind = ex.Kind == SendFailureKind.Permanent ? "permanent" : "transient";
            _metrics?.ProviderCall(provider.Name, _channel.Name, operation, kind, Stopwatch.GetElapsedTime(started));
            _metrics?.ProviderError(provider.Name, _channel.Name, kind, ex.MayHaveBeenSent);
            activity?.SetStatus(ActivityStatusCode.Error, ex.ErrorCode);
            activity?.SetTag("error.type", ex.ErrorCode);
            throw;
        }
    }
}
