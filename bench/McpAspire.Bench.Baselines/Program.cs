// The benchmark's .NET baselines for a stateless tools/call echo, each written as a user would write it:
//   --mode kestrel        a bare minimal-API endpoint that parses the JSON-RPC request and writes the same result (the ceiling)
//   --mode sdk            the SDK's plain stateless MapMcp with the same tool (what a user gets without McpAspire)
//   --mode sdk-sessions   the SDK's plain stateful MapMcp with legacy SSE on: Streamable HTTP at /mcp, GET /sse + POST /message
//   --mode stdio          the SDK's plain stdio server with the same tool, logging to stderr at Warning
//   --mode layers:N       the HTTP worker's composition built up one layer at a time, to see what each costs:
//                         1 the SDK with the tool set's tools and stores alone, 2 + McpAspire's server (argument
//                         validation, sealed request state), HTTP edge, state and rate limiter (no Redis), 3 + service
//                         defaults (OpenTelemetry), 4 + the security edge.
using System.ComponentModel;
using System.Text.Json;
using McpAspire.Hosting;
using McpAspire.Tools;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

if (args is ["--mode", "stdio", ..])
{
    var stdio = Host.CreateApplicationBuilder(args);
    stdio.Logging.ClearProviders();
    stdio.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
    stdio.Services.AddMcpServer().WithStdioServerTransport().WithTools<EchoTool>();
    await stdio.Build().RunAsync();
    return;
}

var builder = WebApplication.CreateBuilder(args);
var mode = builder.Configuration["mode"] ?? "sdk";
var layers = mode.StartsWith("layers:", StringComparison.Ordinal) ? int.Parse(mode["layers:".Length..], System.Globalization.CultureInfo.InvariantCulture) : 0;
if (mode == "sdk-sessions")
{
    builder.Services.AddMcpServer()
        .WithHttpTransport(options =>
        {
            options.SessionMode = HttpServerSessionMode.Stateful;
#pragma warning disable MCP9004 // Legacy SSE is obsolete in the SDK; the baseline serves it as the front-end does.
            options.EnableLegacySse = true;
#pragma warning restore MCP9004
        })
        .WithTools<EchoTool>();
}
else if (mode == "sdk")
{
    builder.Services.AddMcpServer()
        .WithHttpTransport(options => options.SessionMode = HttpServerSessionMode.Stateless)
        .WithTools<EchoTool>();
}
else if (layers == 1)
{
    McpAspireToolSet.AddTo(builder.Services.AddMcpServer()
        .WithHttpTransport(options => options.SessionMode = HttpServerSessionMode.Stateless));
}
else if (layers >= 2)
{
    if (layers >= 3)
    {
        builder.AddServiceDefaults();
    }

    builder.AddMcpAspireState("cache");
    if (layers >= 4)
    {
        builder.AddMcpAspireSecurity();
    }

    builder.AddMcpAspireServer<McpAspireToolSet>().WithMcpAspireHttpTransport(McpHttpMode.Stateless).WithMcpAspireRateLimiting()
        .WithMcpAspireTasks().WithMcpAspireListenStreams().WithMcpAspireResourceSubscriptions();
}

var app = builder.Build();
if (layers >= 3)
{
    app.MapDefaultEndpoints();
}

if (layers >= 2)
{
    app.MapMcpAspire();
}
else if (mode == "kestrel")
{
    app.MapPost("/mcp", EchoEndpoint.AnswerAsync);
}
else if (mode == "sdk-sessions")
{
    // The legacy endpoints hang off the pattern: "" serves /sse and /message beside Streamable HTTP at /.
    app.MapMcp();
    app.MapMcp("/mcp");
}
else
{
    app.MapMcp("/mcp");
}

await app.RunAsync();

[McpServerToolType]
internal sealed class EchoTool
{
    [McpServerTool(Name = "echo"), Description("Echoes the message back.")]
    public static string Echo([Description("The text to send back.")] string message) => message;
}

/// <summary>tools/call echo as plain JSON-RPC over HTTP: parse, check, answer; no MCP machinery.</summary>
internal static class EchoEndpoint
{
    public static async Task AnswerAsync(HttpContext context)
    {
        using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var root = request.RootElement;
        if (!root.TryGetProperty("id", out var id) ||
            root.GetProperty("method").GetString() != "tools/call" ||
            root.GetProperty("params").GetProperty("arguments").GetProperty("message") is not { ValueKind: JsonValueKind.String } message)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WritePropertyName("id");
        id.WriteTo(writer);
        writer.WriteStartObject("result");
        writer.WriteStartArray("content");
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("text", message.GetString());
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
