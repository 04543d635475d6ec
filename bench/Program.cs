namespace FollowUp.Bench;

/// <summary>
/// bench/run.sh engine [repeats] [stock|followup]     stock Hangfire.PostgreSql beside FollowUp's configuration (docs/BENCHMARKS.md)
/// bench/run.sh engine burst [parallelism…]          10,000 due in one second: stock, and FollowUp at each scheduler parallelism
/// bench/run.sh levers [jobs]                         Hangfire.PostgreSql's statements per job with each lever of #22 §2 alone and together
/// bench/run.sh stuck [jobs] [restart]                 100,000 jobs through FollowUp's configuration, 0 stuck expected; PostgreSQL restarted mid-run
/// dotnet run -c Release --project bench -- send      the send benchmark (fake Twilio answering in 20 ms)
/// dotnet run -c Release --project bench -- webhooks  signed call webhooks at 100, 300, 1,000/s against the app
/// bench/run.sh dashboard [requests]                  dashboard pages over HTTP with 1M jobs and 1M messages
/// bench/run.sh search [messages] [runs]               GET /api/messages at 1M messages, with and without the trigram indexes
/// An explicit entry class, not top-level statements: .NET 10 makes a top-level Program public in
/// apps that reference ASP.NET Core, which would clash with FollowUp.Web's in the test project.
/// </summary>
internal static class BenchProgram
{
    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "engine" => await EngineBenchmark.RunAsync(args[1..]),
        "levers" => await EngineLevers.RunAsync(args[1..]),
        "stuck" => await StuckBenchmark.RunAsync(args[1..]),
        "send" => await SendBenchmark.RunAsync(args[1..]),
        "webhooks" => await WebhookBenchmark.RunAsync(args[1..]),
        "dashboard" => await DashboardBenchmark.RunAsync(args[1..]),
        "search" => await SearchBenchmark.RunAsync(args[1..]),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: FollowUp.Bench engine | levers | stuck | send | webhooks | dashboard | search");
        return 2;
    }
}
