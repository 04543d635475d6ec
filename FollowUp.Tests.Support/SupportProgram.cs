namespace FollowUp.Tests.Support;

/// <summary>
/// dotnet FollowUp.Tests.Support.dll worker     an engine node in FollowUp's configuration (multi-process and kill -9 tests, benchmarks)
/// dotnet FollowUp.Tests.Support.dll migrate    apply migrations and exit
/// An explicit entry class, not top-level statements: .NET 10 makes a top-level Program public in apps
/// that reference ASP.NET Core, which would clash with FollowUp.Web's in the test project.
/// </summary>
internal static class SupportProgram
{
    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "worker" => await WorkerNode.RunAsync(args[1..]),
        "migrate" => await WorkerNode.MigrateAsync(args[1..]),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: FollowUp.Tests.Support worker | migrate");
        return 2;
    }
}
