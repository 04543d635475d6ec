using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FollowUp.Bench;

/// <summary>FollowUp.Web in a process of its own, as the benchmarks that measure it over HTTP start it.</summary>
internal static class WebProcess
{
    /// <summary>
    /// Starts <paramref name="webDll"/> on <paramref name="baseUrl"/> against <paramref name="connectionString"/>,
    /// with <paramref name="settings"/> as environment variables (<c>FollowUp__…</c>) and warnings only in its log,
    /// which goes to stderr prefixed "web: ".
    /// </summary>
    public static Process Start(string webDll, string connectionString, Uri baseUrl, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [webDll])
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(webDll))))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__FollowUp"] = connectionString;
        start.Environment["ASPNETCORE_URLS"] = baseUrl.ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        // The app logs warnings and errors only (above): shown, so a 500 under a benchmark says why.
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("web: " + e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("web: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits (up to two minutes) until <c>/health/ready</c> answers 2xx.</summary>
    public static async Task WaitReadyAsync(HttpClient http)
    {
        for (var i = 0; i < 240; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(500);
        }

        throw new InvalidOperationException("FollowUp.Web did not become ready in 2 minutes.");
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
