namespace FollowUp.Jobs.Engine.Filters;

/// <summary>An attempt about to be performed, as perform filters see it.</summary>
public sealed class PerformContext
{
    internal PerformContext(JobContext job, object args, IServiceProvider services)
    {
        Job = job;
        Args = args;
        Services = services;
    }

    /// <summary>The job and attempt.</summary>
    public JobContext Job { get; }

    /// <summary>The deserialised arguments.</summary>
    public object Args { get; }

    /// <summary>The attempt's DI scope.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Free-form values shared between filters of one attempt.</summary>
    public IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}
