using System.Net;
using Microsoft.AspNetCore.Http;

namespace McpAspire.Hosting.Security;

/// <summary>The client's address as the security edge sees it (after forwarded headers), IPv4-mapped IPv6 written as IPv4.</summary>
internal static class ClientAddress
{
    public static IPAddress? Of(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : context.Connection.RemoteIpAddress;
}
