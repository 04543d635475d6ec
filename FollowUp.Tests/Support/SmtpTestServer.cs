using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FollowUp.Tests.Support;

/// <summary>
/// A real SMTP listener on 127.0.0.1 (any free port), plain text (no STARTTLS), speaking enough of RFC 5321
/// for <see cref="System.Net.Mail.SmtpClient"/>: greeting, EHLO/HELO, AUTH LOGIN/PLAIN (any credentials),
/// MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT. Scripting: refuse a recipient, answer a verb
/// with a fixed reply (421 …), or never greet (a timeout).
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, string> _recipientReplies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _verbReplies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private readonly Task _acceptLoop;

    private SmtpTestServer()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    /// <summary>When true, a new connection is accepted but never greeted (the client times out).</summary>
    public bool Silent { get; set; }

    public static SmtpTestServer Start() => new();

    /// <summary>RCPT TO this address gets <paramref name="reply"/> instead of 250.</summary>
    public void RejectRecipient(string address, string reply = "550 5.1.1 Mailbox unavailable") =>
        _recipientReplies[address] = reply;

    /// <summary>The verb (MAIL, RCPT, DATA, or "." for the end of data) gets <paramref name="reply"/>.</summary>
    public void Reply(string verb, string reply) => _verbReplies[verb] = reply;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the loop with one of these.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            if (Silent)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            await writer.WriteLineAsync("220 localhost FollowUp test SMTP ready");
            await new Session(this, reader, writer).RunAsync(_stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client hung up or the server is stopping.
        }
    }

    private sealed class Session(SmtpTestServer server, StreamReader reader, StreamWriter writer)
    {
        private readonly List<string> _recipients = [];
        private string? _mailFrom;
        private string? _authUser;

        public async Task RunAsync(CancellationToken token)
        {
            while (await reader.ReadLineAsync(token) is { } line)
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
                var argument = space < 0 ? "" : line[(space + 1)..];
                if (verb is "MAIL" or "RCPT" or "DATA" && server._verbReplies.TryGetValue(verb, out var scripted))
                {
                    await writer.WriteLineAsync(scripted);
                    if (scripted.StartsWith("421", StringComparison.Ordinal))
                    {
                        return; // 421 closes the channel, as RFC 5321 says it does.
                    }

                    continue;
                }

                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-localhost");
                        await writer.WriteLineAsync("250-AUTH LOGIN PLAIN");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 localhost");
                        break;
                    case "AUTH":
                        await AuthAsync(argument, token);
                        break;
                    case "MAIL":
                        _mailFrom = Address(argument);
                        _recipients.Clear();
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        var to = Address(argument);
                        if (server._recipientReplies.TryGetValue(to, out var refusal))
                        {
                            await writer.WriteLineAsync(refusal);
                        }
                        else
                        {
                            _recipients.Add(to);
                            await writer.WriteLineAsync("250 2.1.5 OK");
                        }

                        break;
                    case "DATA":
                        await DataAsync(token);
                        break;
                    case "RSET":
                        _mailFrom = null;
                        _recipients.Clear();
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("500 5.5.1 Unknown command");
                        break;
                }
            }
        }

        private async Task AuthAsync(string argument, CancellationToken token)
        {
            var parts = argument.Split(' ', 2);
            if (parts[0].Equals("LOGIN", StringComparison.OrdinalIgnoreCase))
            {
                string? user;
                if (parts.Length > 1)
                {
                    user = parts[1];
                }
                else
                {
                    await writer.WriteLineAsync("334 VXNlcm5hbWU6");
                    user = await reader.ReadLineAsync(token);
                }

                await writer.WriteLineAsync("334 UGFzc3dvcmQ6");
                await reader.ReadLineAsync(token);
                _authUser = Decode(user);
            }
            else if (parts[0].Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
            {
                var initial = parts.Length > 1 ? parts[1] : null;
                if (initial is null)
                {
                    await writer.WriteLineAsync("334 ");
                    initial = await reader.ReadLineAsync(token);
                }

                // authzid NUL authcid NUL password
                _authUser = Decode(initial)?.Split('\0').ElementAtOrDefault(1);
            }
            else
            {
                await writer.WriteLineAsync("504 5.5.4 Unrecognized authentication type");
                return;
            }

            await writer.WriteLineAsync("235 2.7.0 Authentication successful");
        }

        private async Task DataAsync(CancellationToken token)
        {
            if (_mailFrom is null || _recipients.Count == 0)
            {
                await writer.WriteLineAsync("503 5.5.1 Bad sequence of commands");
                return;
            }

            await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(token) is { } line && line != ".")
            {
                // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
                data.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
            }

            if (server._verbReplies.TryGetValue(".", out var scripted))
            {
                await writer.WriteLineAsync(scripted);
                return;
            }

            server._received.Enqueue(new ReceivedMail(_mailFrom, [.. _recipients], data.ToString(), _authUser));
            _mailFrom = null;
            _recipients.Clear();
            await writer.WriteLineAsync("250 2.0.0 Queued");
        }

        private static string Address(string argument)
        {
            var start = argument.IndexOf('<', StringComparison.Ordinal);
            var end = argument.IndexOf('>', StringComparison.Ordinal);
            return start >= 0 && end > start ? argument[(start + 1)..end] : argument;
        }

        private static string? Decode(string? base64) =>
            base64 is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim()));
    }
}
