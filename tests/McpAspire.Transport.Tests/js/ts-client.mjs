// Drives an McpAspire endpoint with the official TypeScript SDK client and prints what it saw as one JSON object.
// Usage: node ts-client.mjs stdio <command> [args...] | [MCP_HEADERS=json] node ts-client.mjs sse|streamable-http <url>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

// MCP_HEADERS (a JSON object) adds HTTP headers to every request, e.g. {"X-API-Key":"..."}; a private CA comes from
// Node's own NODE_EXTRA_CA_CERTS.
const [kind, target, ...rest] = process.argv.slice(2);
const requestInit = process.env.MCP_HEADERS ? { headers: JSON.parse(process.env.MCP_HEADERS) } : undefined;
const transport =
  kind === "stdio" ? new StdioClientTransport({ command: target, args: rest, stderr: "ignore" }) :
  kind === "sse" ? new SSEClientTransport(new URL(target), { requestInit }) :
  kind === "streamable-http" ? new StreamableHTTPClientTransport(new URL(target), { requestInit }) :
  null;
if (!transport) {
  console.error(`unknown transport '${kind}'`);
  process.exit(2);
}

const text = (result) => result.content.filter((c) => c.type === "text").map((c) => c.text).join("");
const client = new Client({ name: "ts-sdk-client", version: "1.0.0" });
await client.connect(transport);

// Tap what arrives on the wire: the client's onprogress can miss the last notification when it comes in the same
// chunk as the result (it dispatches notifications a microtask late and drops the handler on the result).
const wireProgress = [];
const deliver = transport.onmessage;
transport.onmessage = (message, extra) => {
  if (message.method === "notifications/progress") wireProgress.push(message.params.progress);
  deliver(message, extra);
};

const note = `ts-${process.pid}-${Date.now()}`;
const progress = [];
const report = {
  server: client.getServerVersion(),
  tools: (await client.listTools()).tools.map((t) => t.name).sort(),
  echo: text(await client.callTool({ name: "echo", arguments: { message: "hello from TypeScript" } })),
  add: text(await client.callTool({ name: "add", arguments: { a: 40, b: 2 } })),
  badAdd: await client.callTool({ name: "add", arguments: { a: "forty", b: 2 } }),
  put: (await client.callTool({ name: "notes_put", arguments: { name: note, content: "written by TS" } })).isError ?? false,
  get: text(await client.callTool({ name: "notes_get", arguments: { name: note } })),
  resource: (await client.readResource({ uri: `note://${note}` })).contents[0].text,
  prompt: (await client.getPrompt({ name: "summarize_notes", arguments: {} })).messages[0].content.text.includes(note),
  whoami: (await client.callTool({ name: "whoami", arguments: {} })).structuredContent,
  longRunning: text(await client.callTool(
    { name: "long_running", arguments: { steps: 3, delayMs: 10 } },
    undefined,
    { onprogress: (p) => progress.push(p.progress) })),
};
report.progress = progress;
report.wireProgress = wireProgress;
await client.callTool({ name: "notes_delete", arguments: { name: note } });
await client.close();
console.log(JSON.stringify(report));
