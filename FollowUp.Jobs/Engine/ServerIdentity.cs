namespace FollowUp.Jobs.Engine;

/// <summary>This process's Hangfire server name: host, process id and a random suffix, so two processes never share one.</summary>
internal sealed class ServerIdentity
{
    public string Name { get; } = $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
}
