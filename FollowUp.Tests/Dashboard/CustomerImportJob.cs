using System.ComponentModel;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// A developer's own job, enqueued through Hangfire's <c>IBackgroundJobClient</c> as the README shows developers: its
/// display name carries its string argument, so whatever a caller passes is shown on the stock dashboard.
/// </summary>
public static class CustomerImportJob
{
    [DisplayName("Import customer {0}")]
    public static Task RunAsync(string customerName, CancellationToken cancellationToken) => Task.CompletedTask;
}
