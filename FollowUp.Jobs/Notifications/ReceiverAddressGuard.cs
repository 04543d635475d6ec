using System.Net;
using System.Net.Sockets;

namespace FollowUp.Jobs.Notifications;

/// <summary>
/// The notification client's <see cref="SocketsHttpHandler.ConnectCallback"/>: a client's
/// <c>notifications.url</c> is any host name it chose, so the name is resolved here, at connect time,
/// and only a public address is dialled — the address checked is the address connected to, so a DNS
/// answer that changes between a check and the connect (rebinding) cannot slip past. Refused: loopback,
/// private (RFC 1918, CGNAT), link-local (cloud metadata lives at 169.254.169.254), unique-local,
/// IPv4-mapped IPv6, unspecified, multicast and reserved ranges. Loopback only when
/// <see cref="NotificationOptions.AllowLoopback"/> is on (local development and tests).
/// </summary>
internal static class ReceiverAddressGuard
{
    /// <summary>Resolves the request's host and connects to its first permitted address; none permitted: <see cref="ReceiverAddressRefusedException"/>.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowLoopback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var permitted = addresses.Where(a => IsPermitted(a, allowLoopback)).ToList();
        if (permitted.Count == 0)
        {
            throw new ReceiverAddressRefusedException();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted.ToArray(), context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True for an address a notification may be sent to.</summary>
    public static bool IsPermitted(IPAddress address, bool allowLoopback)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (IPAddress.IsLoopback(address) && !address.IsIPv4MappedToIPv6)
        {
            return allowLoopback;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => IsPublicV6(address),
            _ => false,
        };
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 0                                   // 0.0.0.0/8, "this network", unspecified
        || b[0] == 10                               // 10/8 private
        || b[0] == 127                              // loopback (only reached when not allowed)
        || (b[0] == 100 && (b[1] & 0xC0) == 64)     // 100.64/10 carrier-grade NAT
        || (b[0] == 169 && b[1] == 254)             // 169.254/16 link-local, cloud metadata
        || (b[0] == 172 && (b[1] & 0xF0) == 16)     // 172.16/12 private
        || (b[0] == 192 && b[1] == 168)             // 192.168/16 private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)  // 192.0.0/24 protocol assignments
        || (b[0] == 198 && (b[1] & 0xFE) == 18)     // 198.18/15 benchmarking
        || b[0] >= 224);                            // multicast, reserved, broadcast

    private static bool IsPublicV6(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6 || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        // ::/96 (IPv4-compatible, deprecated) and 64:ff9b::/96 (NAT64, which reaches any IPv4 address behind it).
        var firstTwelveZero = b.Take(12).All(x => x == 0);
        var nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.Skip(4).Take(8).All(x => x == 0);
        return !firstTwelveZero && !nat64;
    }
}
