using System.Net;
using FollowUp.Jobs.Calls;
using FollowUp.Tests.Support;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FollowUp.Tests.Dashboard;

/// <summary>
/// Commands on the stock <c>/hangfire</c> dashboard, from a signed-in browser with its anti-forgery
/// token: who may delete a recurring job, and what the audit log records.
/// </summary>
public sealed class HangfireCommandsTests : BrowserTest
{
    [Test]
    public async Task RecurringRemove_Operator_Refused403_JobStays_AnAdminRemovesIt()
    {
        await Host.AddUserAsync("otto", "operator-password-1", "operator");
        await SignInAsync("otto", "operator-password-1");
        var refused = await PostCommandAsync("/hangfire/recurring/remove", RetentionJob.RecurringId);
        var refusal = await refused.TextAsync();
        var afterOperator = RecurringIds();
        await Page.Context.ClearCookiesAsync();
        await SignInAsync();
        var removed = await PostCommandAsync("/hangfire/recurring/remove", RetentionJob.RecurringId);

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Status, Is.EqualTo((int)HttpStatusCode.Forbidden));
            Assert.That(refusal, Is.EqualTo("Only an admin may delete recurring jobs; operators may trigger them."));
            Assert.That(afterOperator, Does.Contain(RetentionJob.RecurringId), "the operator's delete changed nothing");
            Assert.That(removed.Status, Is.LessThan(300));
            Assert.That(RecurringIds(), Does.Not.Contain(RetentionJob.RecurringId));
            Assert.That(await Db.QueryAsync<string>("select actor || ' ' || action || ' ' || target from audit_log"),
                Is.EqualTo(new[] { $"admin hangfire.recurring.remove recurring {RetentionJob.RecurringId}" }), "the refusal is not audited");
        });
    }

    [Test]
    public async Task StatsPoll_WritesNoAuditEntry_ACommandWritesOne()
    {
        var jobId = (await DeadLetteredSmsAsync()).JobId!.Value;
        await SignInAsync();
        for (var i = 0; i < 5; i++)
        {
            var stats = await PostCommandAsync("/hangfire/stats", null, new() { ["metrics[]"] = "followup:dead-letters" });
            Assert.That(stats.Status, Is.EqualTo((int)HttpStatusCode.OK), await stats.TextAsync());
        }

        var requeue = await PostCommandAsync($"/hangfire/jobs/actions/requeue/{jobId}", null);

        Assert.Multiple(async () =>
        {
            Assert.That(requeue.Status, Is.LessThan(300));
            Assert.That(await Db.QueryAsync<string>("select actor || ' ' || action || ' ' || target from audit_log"),
                Is.EqualTo(new[] { $"admin hangfire.requeue job {jobId}" }), "five polls of the counters, one command");
        });
    }

    /// <summary>POSTs a form as Hangfire's own pages do: the anti-forgery token in the header the page names.</summary>
    private async Task<IAPIResponse> PostCommandAsync(string path, string? job, Dictionary<string, string>? form = null)
    {
        await Page.GotoAsync(Host.Url("/hangfire/recurring"));
        var header = await Page.Locator("meta[name=csrf-header]").GetAttributeAsync("content");
        var token = await Page.Locator("meta[name=csrf-token]").GetAttributeAsync("content");
        var data = Page.APIRequest.CreateFormData();
        if (job is not null)
        {
            data.Append("jobs[]", job);
        }

        foreach (var (key, value) in form ?? [])
        {
            data.Append(key, value);
        }

        return await Page.APIRequest.PostAsync(Host.Url(path),
            new() { Headers = new Dictionary<string, string> { [header!] = token! }, Form = data, MaxRedirects = 0 });
    }

    private List<string> RecurringIds()
    {
        using var connection = Host.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Select(j => j.Id).ToList();
    }
}
