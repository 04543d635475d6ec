using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace FollowUp.Tests.Support;

/// <summary>
/// A real SMTP listener on 127.0.0.1 (any free port), speaking enough of RFC 5321 for MailKit: greeting,
/// EHLO/HELO, STARTTLS (with <see cref="TestCertificate"/>), AUTH LOGIN/PLAIN (any credentials), MAIL,
/// RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT; and a second port with TLS from the first byte
/// (implicit TLS, as on 465). Scripting: refuse a recipient, answer a verb with a fixed reply (421 …),
/// never greet (a timeout), hang up after the message data, or close every idle connection.
/// </summary>
public sealed partial class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TcpListener _tlsListener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<int, TcpClient> _open = new();
    private readonly Task _tlsAcceptLoop;
    private int _connections;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, string> _recipientReplies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _verbReplies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private readonly Task _acceptLoop;

    private SmtpTestServer()
    {
        _listener.Start();
        _tlsListener.Start();
        _acceptLoop = AcceptLoopAsync(_listener, implicitTls: false);
        _tlsAcceptLoop = AcceptLoopAsync(_tlsListener, implicitTls: true);
    }

    /// <summary>Plain text at first; STARTTLS offered.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>TLS from the first byte.</summary>
    public int TlsPort => ((IPEndPoint)_tlsListener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far, on both ports.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>When true, MAIL is refused until the session is secured.</summary>
    public bool RequireTls { get; set; }

    /// <summary>When true, the connection is closed after the message data, before the final reply.</summary>
    public bool HangUpAfterData { get; set; }

    /// <summary>Closes every open connection from the server's side, as a server does with idle ones.</summary>
    public void CloseOpenConnections()
    {
        foreach (var (id, client) in _open)
        {
            _open.TryRemove(id, out _);
            client.Client.Shutdown(SocketShutdown.Both);
            client.Close();
        }
    }
    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    /// <summary>When true, a new connection is accepted but never greeted (the client times out).</summary>
    public bool Silent { get; set; }

    public static SmtpTestServer Start() => new();

    /// <summary>RCPT TO this address gets <paramref name="reply"/> instead of 250.</summary>
    public void RejectRecipient(string address, string reply = "550 5.1.1 Mailbox unavailable") =>
        _recipientReplies[address] = reply;

    /// <summary>The verb (MAIL, RCPT, DATA, or "." for the end of data) gets <paramref name="reply"/>.</summary>
    public void Reply(string verb, string reply) => _verbReplies[verb] = reply;

    /// <summary>The verb gets its normal answer again.</summary>
    public void ClearReply(string verb) => _verbReplies.TryRemove(verb, out _);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _tlsListener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the loop with one of these.
        }

        try
        {
            await _tlsAcceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the loop with one of these.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener, bool implicitTls)
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(_stop.Token);
            var id = Interlocked.Increment(ref _connections);
            _open[id] = client;
            _ = Task.Run(() => ServeAsync(client, id, implicitTls));
        }
    }

    private async Task ServeAsync(TcpClient client, int id, bool implicitTls)
    {
        using var _ = client;
        try
        {
            Stream stream = client.GetStream();
            if (implicitTls)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(TestCertificate.Instance, false, false);
                stream = tls;
            }

            using var session = new Session(this, id, stream, implicitTls ? "implicit" : "none");
            if (Silent)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            await session.Writer.WriteLineAsync("220 localhost FollowUp test SMTP ready");
            await session.RunAsync(_stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException
            or System.Security.Authentication.AuthenticationException)
        {
            // The client hung up, refused our certificate, or the server is stopping.
        }
        finally
        {
            _open.TryRemove(id, out var __);
        }
    }
}
