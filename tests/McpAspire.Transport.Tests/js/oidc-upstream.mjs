// An upstream OpenID Connect provider for the authorization server to federate to, configured as Microsoft Entra ID is
// for it: no registration endpoint, one pre-registered confidential client (client_secret_post), users it knows.
// npm's oidc-provider (OpenID Certified) does the protocol; this script only supplies the users and the sign-in page,
// a plain form (fields username and password; a user's password is their name). The user "mallory" exists but is
// refused: the provider answers the authorization server with access_denied, as an identity provider does for a
// user not assigned to the application. Consent is the administrator's, given in advance.
// A user signed in here is known to the authorization server as <name>@upstream.test, this provider's subject.
// Env: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated). Prints "listening <issuer>" once it serves.
import http from "node:http";
import Provider from "oidc-provider";

const { PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS } = process.env;
const issuer = `http://127.0.0.1:${PORT}`;
const users = {
  alice: { name: "Alice Upstream", email: "alice@upstream.test" },
  bob: { name: "Bob Upstream", email: "bob@upstream.test" },
  mallory: { name: "Mallory", email: "mallory@upstream.test", refused: true },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: REDIRECT_URIS.split(","),
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  }],
  clientAuthMethods: ["client_secret_post"],
  claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false }, registration: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ["mcpaspire-test-upstream"] },
  findAccount: (ctx, id) => {
    const user = users[id.replace(/@upstream\.test$/, "")];
    return user ? { accountId: id, claims: () => ({ sub: id, name: user.name, email: user.email }) } : undefined;
  },
});

const page = (body, status = 200) => [status, `<!DOCTYPE html><html><body>${body}</body></html>`];
const form = (uid, error) => page(
  `${error ? `<p class="error">${error}</p>` : ""}<form method="post" action="/interaction/${uid}">` +
  `<input name="username"><input name="password" type="password"><button type="submit">Sign in</button></form>`,
  error ? 401 : 200);

const readForm = (req) => new Promise((resolve) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => resolve(Object.fromEntries(new URLSearchParams(body))));
});

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "consent") {
      const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      return await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    }
    if (req.method !== "POST") {
      const [status, html] = form(details.uid);
      return res.writeHead(status, { "Content-Type": "text/html" }).end(html);
    }
    const { username, password } = await readForm(req);
    const user = users[username];
    if (!user || password !== username) {
      const [status, html] = form(details.uid, "Wrong user name or password.");
      return res.writeHead(status, { "Content-Type": "text/html" }).end(html);
    }
    const result = user.refused
      ? { error: "access_denied", error_description: "This user is not assigned to the application." }
      : { login: { accountId: `${username}@upstream.test` } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (error) {
    res.writeHead(400, { "Content-Type": "text/plain" }).end(String(error));
  }
});
server.listen(Number(PORT), "127.0.0.1", () => console.log(`listening ${issuer}`));
