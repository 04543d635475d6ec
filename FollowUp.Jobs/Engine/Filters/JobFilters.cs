using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Engine.Filters;

/// <summary>A filter registered for every job type.</summary>
internal sealed record GlobalJobFilter(object Filter);

/// <summary>
/// The filters that apply to a job type: global ones (the fixed retry from <c>FollowUp:Retry</c>
/// first), then the type's attributes; an attribute replaces a global filter of the same class.
/// </summary>
internal sealed class JobFilters
{
    private readonly IReadOnlyList<object> _globals;
    private readonly ConcurrentDictionary<string, IReadOnlyList<object>> _byType = new(StringComparer.Ordinal);

    public JobFilters(IEnumerable<GlobalJobFilter> globals, IOptions<RetryOptions> retry)
    {
        var retryFilter = new FixedRetryAttribute { Attempts = retry.Value.Attempts, DelaySeconds = retry.Value.DelaySeconds };
        _globals = [retryFilter, .. globals.Select(g => g.Filter)];
    }

    public IReadOnlyList<object> For(JobDescriptor? descriptor)
    {
        if (descriptor is null)
        {
            return _globals;
        }

        return _byType.GetOrAdd(descriptor.Name, _ =>
        {
            var overridden = descriptor.Filters.Select(f => f.GetType()).ToHashSet();
            return [.. _globals.Where(g => !overridden.Contains(g.GetType())), .. descriptor.Filters];
        });
    }

    public IEnumerable<IJobPerformFilter> PerformFilters(JobDescriptor descriptor) => For(descriptor).OfType<IJobPerformFilter>();

    public IEnumerable<IJobStateFilter> StateFilters(JobDescriptor? descriptor) => For(descriptor).OfType<IJobStateFilter>();
}
