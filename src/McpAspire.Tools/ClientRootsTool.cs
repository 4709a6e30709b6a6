using System.ComponentModel;
using McpAspire.Abstractions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

#pragma warning disable MCP9005 // Roots are deprecated as of 2026-07-28 and still served to clients that declare them: this tool shows how to ask for them.

/// <summary>The client's roots: the folders or URIs it shares with this server, asked of the client (see <see cref="ClientInputs"/>).</summary>
[McpServerToolType]
public sealed class ClientRootsTool
{
    private const string RootsKey = "roots";
    private const string RootsState = "client_roots:roots";

    [McpServerTool(Name = "client_roots", Title = "Client roots", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists the roots (folders or URIs) the client shares with this server, one per line.")]
    public static string Roots(RequestContext<CallToolRequestParams> request)
    {
        if (request.Params?.RequestState == RootsState && ClientInputs.Roots(request.Params, RootsKey) is { } answer)
        {
            return answer.Roots.Count == 0
                ? "The client shares no roots."
                : string.Join('\n', answer.Roots.Select(root => root.Name is { Length: > 0 } name ? $"{root.Uri} ({name})" : root.Uri));
        }

        ClientInputs.Require(request, ClientCapability.Roots, "client_roots asks the client for its roots.");
        throw new InputRequiredException(
            new Dictionary<string, InputRequest> { [RootsKey] = InputRequest.ForRootsList(new ListRootsRequestParams()) },
            RootsState);
    }
}
