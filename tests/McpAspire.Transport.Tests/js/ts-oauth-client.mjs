// The official TypeScript SDK client signing in by itself, as MCP clients do: no credentials configured, its own OAuth
// provider (Dynamic Client Registration, or a Client ID Metadata Document this script serves over https), PKCE, resource.
// Usage: node ts-oauth-client.mjs streamable-http|sse <server-url> dcr|cimd [tool-call-json ...]
// It prints "AUTHORIZE <url>" when the user must sign in: whoever drives it (a test's scripted browser) opens that URL
// and follows it to this script's loopback redirect listener. Then it connects, makes the calls, and prints
// "RESULT <json>": the structured or text result of each call, and how long the sign-in took.
// CIMD_CERT and CIMD_KEY (PEM) are the certificate and key the metadata document is served with.
import http from "node:http";
import https from "node:https";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";

const [kind, target, registration, ...calls] = process.argv.slice(2);
const started = performance.now();

// The loopback redirect listener (RFC 8252): it takes the code the authorization server sends the browser here.
let deliver;
const codeArrived = new Promise((resolve) => (deliver = resolve));
const listener = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  res.writeHead(200, { "Content-Type": "text/html" }).end("<p>Signed in; you can close this window.</p>");
  deliver(Object.fromEntries(url.searchParams));
});
await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
const redirectUrl = `http://127.0.0.1:${listener.address().port}/callback`;

const metadata = {
  client_name: "TypeScript SDK test client",
  redirect_uris: [redirectUrl],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none",
};

let documentServer;
let clientMetadataUrl;
if (registration === "cimd") {
  documentServer = https.createServer({ cert: readFileSync(process.env.CIMD_CERT), key: readFileSync(process.env.CIMD_KEY) }, (req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "max-age=300" }).end(JSON.stringify({ client_id: clientMetadataUrl, ...metadata }));
  });
  await new Promise((resolve) => documentServer.listen(0, "127.0.0.1", resolve));
  clientMetadataUrl = `https://127.0.0.1:${documentServer.address().port}/oauth/client-metadata.json`;
}

const expectedState = randomBytes(16).toString("hex");
let clientInformation;
let tokens;
let verifier;
const provider = {
  get redirectUrl() { return redirectUrl; },
  get clientMetadata() { return metadata; },
  clientMetadataUrl,
  state: () => expectedState,
  clientInformation: () => clientInformation,
  saveClientInformation: (info) => { clientInformation = info; },
  tokens: () => tokens,
  saveTokens: (saved) => { tokens = saved; },
  redirectToAuthorization: (url) => console.log(`AUTHORIZE ${url.href}`),
  saveCodeVerifier: (saved) => { verifier = saved; },
  codeVerifier: () => verifier,
};

const newTransport = () => kind === "sse"
  ? new SSEClientTransport(new URL(target), { authProvider: provider })
  : new StreamableHTTPClientTransport(new URL(target), { authProvider: provider });

const newClient = () => new Client({ name: "ts-sdk-oauth-client", version: "1.0.0" });
let client = newClient();
let signedIn = false;
try {
  await client.connect(newTransport());
} catch (error) {
  if (!(error instanceof UnauthorizedError)) throw error;
  const answer = await codeArrived;
  if (answer.error) {
    console.log(`RESULT ${JSON.stringify({ error: answer.error, errorDescription: answer.error_description })}`);
    process.exit(0);
  }
  if (answer.state !== expectedState) throw new Error(`the state came back as ${answer.state}`);
  const transport = newTransport();
  await transport.finishAuth(answer.code);
  // A client whose first connection failed keeps that transport (SSE): the signed-in connection is a new client's.
  client = newClient();
  await client.connect(transport);
  signedIn = true;
}

const results = [];
let firstCallMs;
for (const call of calls) {
  const { name, arguments: args } = JSON.parse(call);
  const result = await client.callTool({ name, arguments: args ?? {} });
  firstCallMs ??= performance.now() - started;
  results.push(result.structuredContent ?? result.content.filter((c) => c.type === "text").map((c) => c.text).join(""));
}
await client.close();
listener.close();
documentServer?.close();
console.log(`RESULT ${JSON.stringify({
  signedIn,
  registration: clientInformation?.client_id ?? clientMetadataUrl,
  scope: tokens?.scope,
  hasRefreshToken: Boolean(tokens?.refresh_token),
  results,
  firstCallMs,
})}`);
