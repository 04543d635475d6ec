using FollowUp.Web.Dashboard.Access;
using Microsoft.Extensions.Options;

namespace FollowUp.Web.Dashboard.Overview;

/// <summary>
/// Counts the open live streams on this node, per user and in all: each holds a connection and polls
/// the database every 2 s, so an unbounded number (a script, or many tabs) would wear the node down.
/// </summary>
internal sealed class LiveStreams(IOptions<DashboardOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>A lease to dispose when the stream ends, or why there is none.</summary>
    public (IDisposable? Lease, string? Refusal) TryOpen(string user)
    {
        var o = options.Value;
        lock (_lock)
        {
            if (_total >= o.LiveStreamsTotal)
            {
                return (null, $"This node already serves {o.LiveStreamsTotal} live streams; the counters will retry.");
            }

            var mine = _perUser.GetValueOrDefault(user);
            if (mine >= o.LiveStreamsPerUser)
            {
                return (null, $"You already have {o.LiveStreamsPerUser} live streams open on this node; close a dashboard tab.");
            }

            _perUser[user] = mine + 1;
            _total++;
        }

        return (new Lease(this, user), null);
    }

    private void Close(string user)
    {
        lock (_lock)
        {
            _total--;
            if (--_perUser[user] == 0)
            {
                _perUser.Remove(user);
            }
        }
    }

    private sealed class Lease(LiveStreams owner, string user) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Close(user);
            }
        }
    }
}
