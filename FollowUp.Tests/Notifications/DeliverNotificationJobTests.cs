using System.Net;
using System.Net.Sockets;
using System.Text;
using FollowUp.Jobs.Clients;
using FollowUp.Jobs.Notifications;
using FollowUp.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FollowUp.Tests.Notifications;

/// <summary>
/// Where a notification may go and how much of the answer is read: real PostgreSQL and Hangfire, the
/// receiver a real socket on 127.0.0.1 (loopback allowed by the test settings unless a test turns it off).
/// </summary>
public sealed class DeliverNotificationJobTests : EngineTest
{
    private FakeWebhookReceiver _receiver = null!;

    protected override bool StartsEngineInSetUp => false;

    // Each test's client has its own notification URL: DeliverOnceAsync creates it.
    protected override bool CreatesTestClients => false;

    [SetUp]
    public async Task SetUp() => _receiver = await FakeWebhookReceiver.StartAsync();

    [TearDown]
    public async Task TearDown() => await _receiver.DisposeAsync();

    [Test]
    public async Task Deliver_LoopbackReceiverWithLoopbackNotAllowed_IsRefusedAtConnect_NothingSent_ErrorNamesNoAddress()
    {
        var (status, error) = await DeliverOnceAsync(_receiver.Url, new() { ["FollowUp:Notifications:AllowLoopback"] = "false" });

        Assert.Multiple(() =>
        {
            Assert.That(_receiver.Requests, Is.Empty);
            Assert.That(status, Is.Not.EqualTo("delivered"));
            Assert.That(error, Does.Contain("does not resolve to a public internet address"));
            Assert.That(error, Does.Not.Contain("127.0.0.1").And.Not.Contain(_receiver.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task Deliver_NothingListening_ErrorIsOursAndNamesNoAddressOrPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (_, error) = await DeliverOnceAsync(new Uri($"http://127.0.0.1:{closedPort}/hook"));

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.EqualTo("the receiver could not be reached: the connection was refused or lost"));
            Assert.That(error, Does.Not.Contain("127.0.0.1").And.Not.Contain(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task Deliver_ReceiverAnswers200WithABodyThatNeverEnds_IsDelivered_TheBodyIsNeverRead()
    {
        // Headers, then a body announced as 1 GB of which a few bytes come and the rest never does.
        await using var receiver = RawReceiver.Start("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\nContent-Type: text/plain\r\n\r\nstart of a very long body");

        var (status, error) = await DeliverOnceAsync(receiver.Url, new() { ["FollowUp:Notifications:TimeoutSeconds"] = "3" });

        Assert.That((status, error), Is.EqualTo(("delivered", (string?)null)));
    }

    [Test]
    public async Task Deliver_ReceiverAnswersWithHeadersPastTheCap_FailsSayingSo()
    {
        var huge = new string('x', 16 * 1024);
        await using var receiver = RawReceiver.Start($"HTTP/1.1 200 OK\r\nX-Padding: {huge}\r\nContent-Length: 0\r\n\r\n");

        var (status, error) = await DeliverOnceAsync(receiver.Url);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.Not.EqualTo("delivered"));
            Assert.That(error, Is.EqualTo("the receiver's response headers were too large"));
        });
    }

    [TestCase("127.0.0.1", false)]
    [TestCase("127.8.9.10", false)]
    [TestCase("::1", false)]
    [TestCase("10.1.2.3", false)]
    [TestCase("172.16.0.1", false)]
    [TestCase("172.31.255.255", false)]
    [TestCase("192.168.1.1", false)]
    [TestCase("169.254.169.254", false)]
    [TestCase("100.64.0.1", false)]
    [TestCase("0.0.0.0", false)]
    [TestCase("::", false)]
    [TestCase("fe80::1", false)]
    [TestCase("fc00::1", false)]
    [TestCase("fd12:3456::1", false)]
    [TestCase("::ffff:127.0.0.1", false)]
    [TestCase("::ffff:8.8.8.8", false)]
    [TestCase("64:ff9b::a00:1", false)]
    [TestCase("224.0.0.1", false)]
    [TestCase("255.255.255.255", false)]
    [TestCase("8.8.8.8", true)]
    [TestCase("172.32.0.1", true)]
    [TestCase("93.184.215.14", true)]
    [TestCase("2606:4700:4700::1111", true)]
    public void IsPermitted_WithoutLoopback_OnlyPublicAddresses(string address, bool expected) =>
        Assert.That(ReceiverAddressGuard.IsPermitted(IPAddress.Parse(address), allowLoopback: false), Is.EqualTo(expected));

    [TestCase("127.0.0.1", true)]
    [TestCase("::1", true)]
    [TestCase("::ffff:127.0.0.1", false)]
    [TestCase("10.0.0.1", false)]
    [TestCase("169.254.169.254", false)]
    public void IsPermitted_WithLoopbackAllowed_AddsLoopbackOnly(string address, bool expected) =>
        Assert.That(ReceiverAddressGuard.IsPermitted(IPAddress.Parse(address), allowLoopback: true), Is.EqualTo(expected));

    /// <summary>One attempt (Retry:Attempts 1) of a notification to <paramref name="url"/>; its status and stored error.</summary>
    private async Task<(string Status, string? Error)> DeliverOnceAsync(Uri url, Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?> { ["FollowUp:Retry:Attempts"] = "1" };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        await StartEngineAsync(settings, null);
        await TestClients.CreateAsync(Engine.Services, settings: TestClients.Acme(c => c with
        {
            Notifications = new NotificationSettings { Url = url.ToString(), Secret = "nsec_0123456789abcdef" },
        }));
        await Db.ExecuteAsync("""
            insert into notifications (client_id, type, data, created_at, status)
            values ('acme-dental', 'reply.received', '{"body": "hello"}', now(), 'pending')
            """);
        await Engine.Services.GetRequiredService<NotificationDispatcher>().DispatchAsync(10, CancellationToken.None);
        var rows = await Eventually.WaitForAsync(
            () => Db.QueryAsync<(string Status, int Attempts, string? Error)>("select status, attempts, last_error from notifications"),
            r => r.Count == 1 && r[0].Attempts >= 1, TimeSpan.FromSeconds(30), "one delivery attempt");
        return (rows[0].Status, rows[0].Error);
    }

    /// <summary>An HTTP server at the byte level: reads a request's headers, writes <c>reply</c>, then holds the connection open.</summary>
    private sealed class RawReceiver : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _clients = [];
        private readonly Task _loop;

        private RawReceiver(string reply)
        {
            _listener.Start();
            _loop = ServeAsync(Encoding.ASCII.GetBytes(reply));
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook");

        public static RawReceiver Start(string reply) => new(reply);

        private async Task ServeAsync(byte[] reply)
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _clients.Add(client);
                    var stream = client.GetStream();
                    var seen = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            break;
                        }

                        seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    await stream.WriteAsync(reply, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // Stopping, or the client hung up.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            _stop.Dispose();
        }
    }
}
