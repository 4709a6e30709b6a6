using System.Net;
using System.Net.Sockets;

namespace McpAspire.AuthorizationServer.Clients;

/// <summary>
/// Whether an address is on the public internet: not loopback, private (RFC 1918, unique local), link-local, shared
/// (carrier-grade NAT), multicast, reserved, unspecified, or a translation of one (NAT64, 6to4). A fetch on behalf of a client goes only to such addresses, so
/// a client cannot make this server reach into its own network.
/// </summary>
internal static class PublicAddress
{
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("64:ff9b::/96"), IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("2002::/16"), IPNetwork.Parse("fec0::/10"), IPNetwork.Parse("100::/64"),
        IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !NonPublic.Any(network => network.Contains(address));
    }
}
