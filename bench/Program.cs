using FollowUp.Bench;

// dotnet run -c Release --project bench -- engine            the engine benchmark (see docs/BENCHMARKS.md)
// dotnet FollowUp.Bench.dll worker                           an engine node (used by multi-process tests)
// dotnet FollowUp.Bench.dll migrate                          apply migrations and exit
return args.FirstOrDefault() switch
{
    "engine" => await EngineBenchmark.RunAsync(args[1..]),
    "worker" => await WorkerNode.RunAsync(args[1..]),
    "migrate" => await WorkerNode.MigrateAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: FollowUp.Bench engine | worker | migrate");
    return 2;
}
