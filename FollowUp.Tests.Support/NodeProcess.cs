using System.Diagnostics;
using System.Text;

namespace FollowUp.Tests.Support;

/// <summary>
/// A real engine node in its own OS process (<c>FollowUp.Tests.Support worker</c>, copied beside the tests),
/// for tests that need two nodes, a kill -9, or a start-up race.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public static NodeProcess Start(string command, string connectionString, Dictionary<string, string>? settings = null) =>
        StartDll($"{Path.Combine(AppContext.BaseDirectory, "FollowUp.Tests.Support.dll")} {command}", connectionString, settings);

    /// <summary>The whole web app (<c>FollowUp.Web.dll</c>, copied beside the tests) listening on <paramref name="url"/>.</summary>
    public static NodeProcess StartWeb(string url, string connectionString, Dictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>(settings ?? []) { ["ASPNETCORE_URLS"] = url };
        return StartDll(Path.Combine(AppContext.BaseDirectory, "FollowUp.Web.dll"), connectionString, all);
    }

    private static NodeProcess StartDll(string arguments, string connectionString, Dictionary<string, string>? settings)
    {
        var psi = new ProcessStartInfo("dotnet", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in EngineHost.TestSettings(connectionString))
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in settings ?? [])
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        return new NodeProcess(Process.Start(psi) ?? throw new InvalidOperationException("could not start node"));
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crashed machine.</summary>
    public void Kill9()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
