using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using McpAspire.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpAspire.Reliability.Tests.Infrastructure;

/// <summary>A call that did not succeed: <see cref="Kind"/> is tool-error, wrong-content, rpc{code}, http-{status}, transport or timeout.</summary>
internal sealed record LoadFailure(string Transport, string Tool, string Kind, string Detail)
{
    /// <summary>The phase the client's session (or connection attempt) began in.</summary>
    public string SessionStartedIn { get; init; } = "";
}
