using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using NodaTime;

namespace FollowUp.Bench;

/// <summary>
/// A local SMTP sink for <c>bench -- send</c>: 127.0.0.1, any free port, STARTTLS with a self-signed
/// certificate made at start (the benchmark's client trusts exactly that one), accepting every message.
/// Counts connections, so the run can show what reuse saved.
/// </summary>
internal sealed class FakeSmtp : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _connections;
    private long _messages;

    private FakeSmtp()
    {
        Certificate = CreateCertificate();
        _listener.Start();
        _loop = AcceptAsync();
    }

    public X509Certificate2 Certificate { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Connections => Interlocked.Read(ref _connections);

    public long Messages => Interlocked.Read(ref _messages);

    public static FakeSmtp Start() => new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the loop with one of these.
        }

        _stop.Dispose();
        Certificate.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        Stream stream = client.GetStream();
        try
        {
            var reader = new StreamReader(stream, Encoding.UTF8);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 bench SMTP ready");
            var tls = false;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = (line.Split(' ', 2)[0]).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-bench");
                        await writer.WriteLineAsync(tls ? "250 8BITMIME" : "250-8BITMIME\r\n250 STARTTLS");
                        break;
                    case "STARTTLS":
                        await writer.WriteLineAsync("220 2.0.0 Ready to start TLS");
                        var ssl = new SslStream(stream);
                        await ssl.AuthenticateAsServerAsync(Certificate, false, false);
                        stream = ssl;
                        reader = new StreamReader(ssl, Encoding.UTF8);
                        writer = new StreamWriter(ssl, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
                        tls = true;
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go ahead");
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                        }

                        Interlocked.Increment(ref _messages);
                        await writer.WriteLineAsync("250 2.0.0 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default: // MAIL, RCPT, RSET, NOOP
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException
            or System.Security.Authentication.AuthenticationException)
        {
            // The client hung up, or the sink is stopping.
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = SystemClock.Instance.GetCurrentInstant().ToDateTimeOffset();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
