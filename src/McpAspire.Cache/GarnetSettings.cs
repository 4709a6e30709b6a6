namespace McpAspire.Cache;

/// <summary>The Garnet command line McpAspire runs: loopback or the given address, and only what the state code needs.</summary>
internal static class GarnetSettings
{
    /// <summary>
    /// Lua scripting, atomic (<c>--lua-transaction-mode</c>): the rate limiter and note writes are scripts, and
    /// without transaction mode concurrent scripts interleave and a limiter over-grants. No persistence: this is a cache
    /// for local runs and tests; a deployment uses real Redis.
    /// </summary>
    public static string[] Arguments(int port, string bind = "127.0.0.1") =>
        ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", bind, "--lua", "--lua-transaction-mode"];
}
