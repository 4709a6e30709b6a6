// The benchmark's TypeScript baseline: an MCP server with the same `echo` tool, written as the TypeScript SDK documents.
// Usage: node ts-echo-server.mjs http <port>   stateless Streamable HTTP at /mcp (express; a new server and transport
//                                               per request, one JSON-schema validator shared by all: the SDK's best
//                                               documented stateless configuration)
//        node ts-echo-server.mjs stdio         stdio
import express from "express";
import { z } from "zod";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";

const validator = new AjvJsonSchemaValidator();

function createServer() {
  const server = new McpServer({ name: "ts-echo", version: "1.0.0" }, { jsonSchemaValidator: validator });
  server.registerTool(
    "echo",
    { description: "Echoes the message back.", inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: "text", text: message }] }));
  return server;
}

const [mode, port] = process.argv.slice(2);
if (mode === "stdio") {
  await createServer().connect(new StdioServerTransport());
} else if (mode === "http") {
  const app = express();
  app.use(express.json());
  app.post("/mcp", async (req, res) => {
    const server = createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.listen(Number(port), "127.0.0.1", () => console.error(`listening on http://127.0.0.1:${port}/mcp`));
} else {
  console.error("usage: ts-echo-server.mjs http <port> | stdio");
  process.exit(2);
}
