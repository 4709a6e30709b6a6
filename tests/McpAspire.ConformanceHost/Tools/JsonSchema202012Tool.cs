using System.Text.Json;
using ModelContextProtocol.Server;

namespace McpAspire.ConformanceHost.Tools;

/// <summary>
/// json-schema-2020-12 (pending in suite 0.1.16): a tool whose input schema uses <c>$schema</c>, <c>$defs</c> and
/// <c>additionalProperties</c>, which tools/list must return untouched. Built by hand because the SDK derives a schema
/// from parameters and would not write these keywords.
/// </summary>
internal static class JsonSchema202012Tool
{
    public static McpServerTool Create()
    {
        var tool = McpServerTool.Create(
            () => "JSON Schema 2020-12 tool executed successfully",
            new McpServerToolCreateOptions
            {
                Name = "json_schema_2020_12_tool",
                Description = "Tool with JSON Schema 2020-12 features",
                ReadOnly = true,
                OpenWorld = false,
            });
        tool.ProtocolTool.InputSchema = JsonElement.Parse("""
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "$defs": {
                "address": {
                  "type": "object",
                  "properties": {
                    "street": { "type": "string" },
                    "city": { "type": "string" }
                  }
                }
              },
              "properties": {
                "name": { "type": "string" },
                "address": { "$ref": "#/$defs/address" }
              },
              "additionalProperties": false
            }
            """);
        return tool;
    }
}
