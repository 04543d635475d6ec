using System.Net;
using System.Text;
using System.Text.Json;
using FollowUp.Jobs.Channels;
using FollowUp.Jobs.Channels.Sms;
using FollowUp.Tests.Messages;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Web;

/// <summary>POST/GET /api/messages, dead letters and requeue over HTTP.</summary>
public sealed class MessageApiTests : ApiTest
{
    private ScriptedSmsProvider _sms = null!;

    protected override void ConfigureServices(IServiceCollection services)
    {
        _sms = new ScriptedSmsProvider("scripted");
        services.AddSingleton<ISmsProvider>(_sms);
    }

    private Task<HttpResponseMessage> Post(string path, string? json = null) =>
        Api.Client.PostAsync(new Uri(path, UriKind.Relative), json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonElement> Get(string path)
    {
        var response = await Api.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Test]
    public async Task PostMessage_Sms_202_ThenSent_GetShowsProviderAndCost()
    {
        var response = await Post("/api/messages", """{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550123", "body": "See you at 2 PM" }""");
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetInt64();

        var sent = await Eventually.WaitForAsync(() => Get($"/api/messages/{id}"), m => m.GetProperty("status").GetString() == "sent");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/messages/{id}"));
            Assert.That(sent.GetProperty("provider").GetString(), Is.EqualTo("scripted"));
            Assert.That(sent.GetProperty("kind").GetString(), Is.EqualTo("adhoc"));
            Assert.That(sent.GetProperty("cost").GetDecimal(), Is.EqualTo(0.0083m));
            Assert.That(_sms.Calls.Single().Body, Is.EqualTo("See you at 2 PM"));
        });
    }

    [Test]
    public async Task PostMessage_AnswersAtItsCommit_WhileHangfiresTablesAreBusy_TheJobFollows()
    {
        // Another session holds Hangfire's job table: a request that made its job itself would wait on it.
        await using var blocker = await Db.DataSource.OpenConnectionAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await new Npgsql.NpgsqlCommand("lock table hangfire.job in access exclusive mode", blocker, hold).ExecuteNonQueryAsync();

        var posting = Post("/api/messages", """{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550123", "body": "Your order is ready" }""");
        var answered = await Task.WhenAny(posting, Task.Delay(TimeSpan.FromSeconds(15))) == posting;
        var heldWhileAnswered = blocker.State == System.Data.ConnectionState.Open;
        await hold.RollbackAsync();
        var response = await posting;
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetInt64();

        var sent = await Eventually.WaitForAsync(() => Get($"/api/messages/{id}"), m => m.GetProperty("status").GetString() == "sent");
        Assert.Multiple(() =>
        {
            Assert.That(answered && heldWhileAnswered, Is.True, "answered while Hangfire's job table was locked");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(created.RootElement.GetProperty("status").GetString(), Is.EqualTo("scheduled"));
            Assert.That(sent.GetProperty("job_id").GetInt64(), Is.GreaterThan(0), "the outbox made its job");
            Assert.That(_sms.Calls.Select(c => c.Body), Is.EqualTo(new[] { "Your order is ready" }), "sent once");
        });
    }

    [Test]
    public async Task PostMessage_InvalidFields_422EachField_NothingStored()
    {
        var sms = await Post("/api/messages", """{ "client_id": "acme-dental", "channel": "sms", "to": "555-1234", "subject": "x", "body": "" }""");
        var email = await Post("/api/messages", """{ "client_id": "acme-dental", "channel": "email", "to": "not-an-address", "body": "b" }""");
        var channel = await Post("/api/messages", """{ "client_id": "acme-dental", "channel": "fax", "to": "+12125550123", "body": "b" }""");
        var smsBody = await sms.Content.ReadAsStringAsync();
        var emailBody = await email.Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(sms.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(smsBody, Does.Contain("\"to\"").And.Contain("\"body\"").And.Contain("\"subject\""));
            Assert.That(email.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(emailBody, Does.Contain("\"to\"").And.Contain("\"subject\""));
            Assert.That(channel.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.Zero);
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages where job_id is not null"), Is.Zero);
        });
    }

    [TestCase("+15551234567", "is not a valid number for region US")]
    [TestCase("2125550123", "must start with + and the country code, such as +12125550123")]
    [TestCase("+1 212 555", "is too short for country code +1")]
    public async Task PostMessage_SmsToNotAValidNumber_422NamesToWithTheReason(string to, string why)
    {
        var response = await Post("/api/messages", $$"""{ "client_id": "acme-dental", "channel": "sms", "to": "{{to}}", "body": "Hi" }""");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "to" }));
            Assert.That(errors.GetProperty("to")[0].GetString(), Is.EqualTo(why));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.Zero);
        });
    }

    [Test]
    public async Task PostMessage_SmsToWithPunctuation_StoredAndSentAsE164()
    {
        var response = await Post("/api/messages", """{ "client_id": "acme-dental", "channel": "sms", "to": "+1 (310) 555-0123", "body": "Hi" }""");
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetInt64();

        var sent = await Eventually.WaitForAsync(() => Get($"/api/messages/{id}"), m => m.GetProperty("status").GetString() == "sent");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(created.RootElement.GetProperty("recipient").GetString(), Is.EqualTo("+13105550123"));
            Assert.That(sent.GetProperty("recipient").GetString(), Is.EqualTo("+13105550123"));
            Assert.That(_sms.Calls.Single().To, Is.EqualTo("+13105550123"));
        });
    }

    [Test]
    public async Task PostMessage_UnknownClient_404_NothingStored()
    {
        var response = await Post("/api/messages", """{ "client_id": "nobody", "channel": "sms", "to": "+12125550123", "body": "b" }""");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await Db.ScalarAsync<long>("select count(*) from messages"), Is.Zero);
        });
    }

    [Test]
    public async Task DeadLetter_ListedThenRequeuedOnce_SecondRequeueIs409()
    {
        _sms.ThenFail(SendFailureKind.Permanent, "21610");
        var response = await Post("/api/messages", """{ "client_id": "acme-dental", "channel": "sms", "to": "+12125550123", "body": "b" }""");
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        await Eventually.WaitForAsync(() => Get($"/api/messages/{id}"), m => m.GetProperty("status").GetString() == "dead_lettered");
        var letters = await Eventually.WaitForAsync(() => Get("/api/dead-letters"), l => l.GetArrayLength() == 1);
        var letterId = letters[0].GetProperty("id").GetInt64();

        var first = await Post($"/api/dead-letters/{letterId}/requeue");
        var second = await Post($"/api/dead-letters/{letterId}/requeue");
        var unknown = await Post("/api/dead-letters/999999/requeue");

        await Eventually.WaitForAsync(() => Get($"/api/messages/{id}"), m => m.GetProperty("status").GetString() == "sent");
        Assert.Multiple(async () =>
        {
            Assert.That(letters[0].GetProperty("job_type").GetString(), Is.EqualTo("FollowUp.Jobs.Messages.SendMessageJob"));
            Assert.That(letters[0].GetProperty("message_id").GetInt64(), Is.EqualTo(id));
            Assert.That(letters[0].GetProperty("recipient").GetString(), Is.EqualTo("+12125550123"));
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await Db.ScalarAsync<string>("select resolved_by from dead_letters where id = @letterId", new { letterId }), Is.EqualTo("api-key-0"));
        });
    }

    [Test]
    public async Task RequeueJob_NotInARequeueableState_409()
    {
        var response = await Post("/api/jobs/424242/requeue");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task OpenApiDocument_ListsTheApi()
    {
        using var anonymous = Api.Factory.CreateClient();
        var response = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Does.Contain("/api/messages").And.Contain("/api/clients/{id}").And.Contain("/api/dead-letters/{id}/requeue").And.Contain("/api/jobs/{id}/requeue"));
        });
    }
}
