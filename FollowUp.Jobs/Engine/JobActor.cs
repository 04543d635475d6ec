namespace FollowUp.Jobs.Engine;

/// <summary>
/// Who is acting on a job right now (a dashboard user, an API key, "system"), so that filters running
/// inside Hangfire's state changes (a requeue from the stock dashboard's button, our API, our pages)
/// can record it. Flows with the async call, like a logging scope.
/// </summary>
public static class JobActor
{
    private static readonly AsyncLocal<string?> Actor = new();

    /// <summary>The actor of the current call, or "system".</summary>
    public static string Current => Actor.Value ?? "system";

    /// <summary>Sets the actor until the returned scope is disposed.</summary>
    public static IDisposable Push(string actor)
    {
        var previous = Actor.Value;
        Actor.Value = actor;
        return new Scope(previous);
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => Actor.Value = previous;
    }
}
