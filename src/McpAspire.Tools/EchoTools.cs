using System.ComponentModel;
using ModelContextProtocol.Server;

namespace McpAspire.Tools;

/// <summary>The trivial round trips: what the benchmarks call and what proves a transport is alive.</summary>
[McpServerToolType]
public sealed class EchoTools
{
    [McpServerTool(Name = "echo", Title = "Echo", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Returns the message it is given, unchanged.")]
    public static string Echo([Description("The text to send back.")] string message) => message;

    [McpServerTool(Name = "add", Title = "Add", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Adds two integers and returns the sum.")]
    public static long Add(
        [Description("The first addend.")] long a,
        [Description("The second addend.")] long b) => checked(a + b);
}
