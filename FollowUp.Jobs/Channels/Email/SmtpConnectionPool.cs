using System.Collections.Concurrent;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace FollowUp.Jobs.Channels.Email;

/// <summary>
/// Connected, authenticated MailKit clients kept between sends (<see cref="SmtpOptions.PoolSize"/>), so a
/// message costs its SMTP transaction, not a TCP connect, TLS handshake and AUTH. At most PoolSize sends
/// use SMTP at once on this node; the others wait for a client. A client that failed in any way is
/// closed, never returned. With PoolSize 0 every send connects and says QUIT after.
/// </summary>
internal sealed class SmtpConnectionPool(IOptions<SmtpOptions> options, SmtpServerCertificates certificates) : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentBag<SmtpClient> _idle = [];
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.PoolSize));

    private bool Pooled => options.Value.PoolSize > 0;

    /// <summary>Waits for a slot and hands out a client: an idle connected one when there is one (<c>Reused</c>), else a new one, connected.</summary>
    /// <remarks>
    /// Waiting for a slot is bounded by <see cref="SmtpOptions.PoolWaitSeconds"/> (then <see cref="SmtpPoolBusyException"/>),
    /// connecting by <paramref name="connectTimeout"/>. Every rented client must be given back with
    /// <see cref="ReturnAsync"/>, whatever happened to it, or its slot is lost.
    /// </remarks>
    public async Task<(SmtpClient Client, bool Reused)> RentAsync(TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        if (Pooled && !await _slots.WaitAsync(TimeSpan.FromSeconds(options.Value.PoolWaitSeconds), cancellationToken))
        {
            throw new SmtpPoolBusyException(
                $"No SMTP connection came free within {options.Value.PoolWaitSeconds} s ({options.Value.PoolSize} in use); nothing was sent.");
        }

        try
        {
            while (Pooled && _idle.TryTake(out var idle))
            {
                if (idle.IsConnected)
                {
                    return (idle, true);
                }

                idle.Dispose();
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            return (await ConnectAsync(timeout.Token), false);
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>Gives a client back: kept when it is healthy and pooling is on, else closed.</summary>
    public async Task ReturnAsync(SmtpClient client, bool healthy)
    {
        try
        {
            if (healthy && Pooled && client.IsConnected)
            {
                _idle.Add(client);
                return;
            }

            await CloseAsync(client, quit: healthy);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>A new connection in place of a rented one found dead (the server closed it while idle); the slot stays taken.</summary>
    public async Task<SmtpClient> ReplaceAsync(SmtpClient dead, CancellationToken cancellationToken)
    {
        await CloseAsync(dead, quit: false);
        return await ConnectAsync(cancellationToken);
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000 };
        if (certificates.Validate is { } validate)
        {
            client.ServerCertificateValidationCallback = validate;
        }

        try
        {
            await client.ConnectAsync(settings.Host ?? throw new InvalidOperationException("FollowUp:Smtp:Host is not set."), settings.Port, settings.EffectiveSecurity switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.Auto,
            }, cancellationToken);
            if (!string.IsNullOrEmpty(settings.User))
            {
                await client.AuthenticateAsync(settings.User, settings.Password ?? "", cancellationToken);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task CloseAsync(SmtpClient client, bool quit)
    {
        try
        {
            if (quit && client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(true, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or MailKit.ProtocolException or System.Net.Sockets.SocketException)
        {
            // Saying goodbye is a courtesy; the socket is closed either way.
        }
        finally
        {
            client.Dispose();
        }
    }

    private void Release()
    {
        if (Pooled)
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            await CloseAsync(client, quit: true);
        }

        _slots.Dispose();
    }

    public void Dispose()
    {
        // A container disposed synchronously: close the sockets without QUIT.
        while (_idle.TryTake(out var client))
        {
            client.Dispose();
        }

        _slots.Dispose();
    }
}
