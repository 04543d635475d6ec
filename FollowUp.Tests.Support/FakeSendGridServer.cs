using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FollowUp.Tests.Support;

/// <summary>
/// SendGrid's Mail Send API faked at its wire: an in-process Kestrel app on 127.0.0.1 (any free port)
/// that records every request and answers with SendGrid's real response shapes — 202 with an
/// <c>X-Message-Id</c> header and an empty body, or an <c>{"errors":[…]}</c> body — as scripted per test.
/// Unscripted requests get 202.
/// </summary>
public sealed class FakeSendGridServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _accepted;

    private FakeSendGridServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Where the fake listens, for <c>FollowUp:SendGrid:BaseUrl</c>.</summary>
    public string BaseUrl { get; private init; } = "";

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<FakeSendGridServer> StartAsync()
    {
        FakeSendGridServer? server = null;
        var (app, address) = await LoopbackApp.StartAsync(app => app.Run(context => server!.HandleAsync(context)));
        server = new FakeSendGridServer(app) { BaseUrl = address.ToString().TrimEnd('/') };
        return server;
    }

    /// <summary>Next request: 202, empty body, <c>X-Message-Id: <paramref name="messageId"/></c>.</summary>
    public void RespondAccepted(string messageId) => _script.Enqueue(context => Accepted(context, messageId));

    /// <summary>Next request: <paramref name="status"/> with SendGrid's errors body (field may be null).</summary>
    public void RespondErrors(int status, params (string Message, string? Field)[] errors) =>
        _script.Enqueue(async context =>
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new
            {
                errors = errors.Select(e => new { message = e.Message, field = e.Field, help = (string?)null }),
            });
        });

    /// <summary>Next request: <paramref name="status"/> with an arbitrary body (or none).</summary>
    public void RespondStatus(int status, string? body = null) =>
        _script.Enqueue(async context =>
        {
            context.Response.StatusCode = status;
            if (body is not null)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(body);
            }
        });

    /// <summary>Next request: wait <paramref name="delay"/> (or until the client gives up), then 202.</summary>
    public void RespondAfter(TimeSpan delay) =>
        _script.Enqueue(async context =>
        {
            await Task.Delay(delay, context.RequestAborted);
            await Accepted(context, "late");
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _requests.Enqueue(new RecordedRequest(
            context.Request.Method, context.Request.Path, context.Request.Headers.Authorization.ToString(),
            context.Request.ContentType, body));
        try
        {
            var respond = _script.TryDequeue(out var scripted)
                ? scripted
                : c => Accepted(c, $"fake-{Interlocked.Increment(ref _accepted)}");
            await respond(context);
        }
        catch (OperationCanceledException)
        {
            // The client timed out during a scripted delay.
        }
    }

    private static Task Accepted(HttpContext context, string messageId)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers["X-Message-Id"] = messageId;
        return Task.CompletedTask;
    }

    /// <summary>One request as the fake received it.</summary>
    public sealed record RecordedRequest(string Method, string Path, string Authorization, string? ContentType, string Body);
}
