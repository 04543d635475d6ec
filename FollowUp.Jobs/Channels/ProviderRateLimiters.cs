using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Configuration;

namespace FollowUp.Jobs.Channels;

/// <summary>
/// One token bucket per provider, sized from <c>FollowUp:{Provider}:RateLimitPerSecond</c> (0 or
/// absent: unlimited). Waiting for a token happens inside the attempt and never fails it, so a burst
/// costs time, not attempts.
/// </summary>
internal sealed class ProviderRateLimiters(IConfiguration configuration) : IDisposable
{
    private readonly ConcurrentDictionary<string, RateLimiter?> _limiters = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits until <paramref name="provider"/> may send one more message.</summary>
    public async ValueTask WaitAsync(string provider, CancellationToken cancellationToken)
    {
        var limiter = _limiters.GetOrAdd(provider, Create);
        if (limiter is null)
        {
            return;
        }

        using var lease = await limiter.AcquireAsync(1, cancellationToken);
    }

    private RateLimiter? Create(string provider)
    {
        var section = configuration.GetSection("FollowUp").GetChildren()
            .FirstOrDefault(c => string.Equals(c.Key, provider, StringComparison.OrdinalIgnoreCase));
        var value = section?["RateLimitPerSecond"];
        if (value is null || !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var perSecond) || perSecond <= 0)
        {
            return null;
        }

        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter?.Dispose();
        }
    }
}
