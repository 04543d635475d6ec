using Dapper;
using FollowUp.Tests.Support;
using FollowUp.Web.Dashboard.DeadLetters;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>Bulk requeues on one node: at most <see cref="BulkOperations.MaxRunning"/> at once.</summary>
public sealed class BulkOperationsTests : BrowserTest
{
    [Test]
    public async Task RequeueAll_ThirdWhileTwoRun_RefusedWithTheMessage()
    {
        var letter = await DeadLetteredSmsAsync();
        // Holds the dead letter's row: each bulk requeue stops there (marking it requeued) until released.
        await using var connection = await Db.DataSource.OpenConnectionAsync();
        await using var hold = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("select 1 from dead_letters where job_id = @jobId for update", new { jobId = letter.JobId!.Value }, hold);
        await SignInAsync();

        for (var i = 0; i < BulkOperations.MaxRunning; i++)
        {
            await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
            await Page.GetByRole(AriaRole.Button, new() { Name = "Requeue all" }).ClickAsync();
            await Assertions.Expect(Page.Locator("[data-bulk-finished]")).ToHaveAttributeAsync("data-bulk-finished", "false");
        }

        await Page.GotoAsync(Host.Url("/dashboard/deadletters"));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Requeue all" }).ClickAsync();

        await Assertions.Expect(Page.Locator(".problem")).ToHaveTextAsync(
            "2 bulk requeues are already running on this node; try again when one has finished.");
        await ScreenshotAsync("bulk-refused");
        await hold.RollbackAsync();
        await WaitForJobStateAsync(letter.JobId.Value, "Succeeded");
    }
}
