// The MCP Inspector (its web client, in Debian's Chromium through playwright-core) signing in to an MCP server of the
// AppHost as a user would: it connects, is sent to the authorization server, the user signs in at the development
// identity provider and consents, and back in the Inspector lists the tools, calls echo and whoami. Prints one JSON line.
// Usage: node inspector-signin.mjs <inspector url with its token> <server name> <user>   (CHROMIUM overrides /usr/bin/chromium)
import { chromium } from "playwright-core";

const [inspectorUrl, serverName, user] = process.argv.slice(2);
const timeout = 60_000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  // As root, with no network beyond loopback: no sandbox, no background connections.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  const visited = [];
  page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) visited.push(new URL(frame.url()).origin + new URL(frame.url()).pathname); });
  await page.goto(inspectorUrl);

  const card = page.getByText(serverName, { exact: true }).locator("xpath=ancestor::*[.//*[@role='switch']][1]");
  await card.getByRole("switch").click({ force: true });
  const signIn = await Promise.race([
    page.waitForURL(/\/account\/login/).then(() => true),
    card.getByText("Connected", { exact: true }).waitFor().then(() => false),
  ]);
  if (signIn) {
    await page.fill("input[name=username]", user);
    await page.fill("input[name=password]", user);
    await page.click("button[type=submit]");
    await page.locator("button[name=consent][value=allow]").click();
    await page.waitForURL((url) => url.port === new URL(inspectorUrl).port && !url.pathname.startsWith("/oauth"));
  }
  await page.getByText(serverName, { exact: true }).locator("xpath=ancestor::*[.//*[@role='switch']][1]").getByText("Connected", { exact: true }).waitFor();

  await page.getByText("Tools", { exact: true }).first().click();
  // The list renders the tools in view only: each is found through the search box. The result is read off the page once
  // the pattern that shows it has arrived appears (the results are drawn in a code editor, not as plain text).
  const call = async (tool, pattern, fill) => {
    await page.getByPlaceholder("Search tools...").fill(tool);
    await page.getByRole("button", { name: new RegExp(`\\b${tool}\\b`) }).first().click();
    await fill?.();
    await page.getByRole("button", { name: "Execute Tool" }).click();
    const found = await page.waitForFunction((source) => document.body.innerText.match(new RegExp(source))?.[0], pattern.source);
    const text = await found.jsonValue();
    await page.getByText("Results", { exact: true }).locator("xpath=preceding::button[1]").click();
    return text;
  };
  const tools = Number((await page.getByText(/^Tools \(\d+\)$/).innerText()).match(/\d+/)[0]);
  const echo = await call("echo", /hello from the Inspector/, () => page.getByRole("textbox", { name: "message" }).first().fill("hello from the Inspector"));
  const principal = (await call("whoami", /"principal":\s*"[^"]*"/)).match(/"principal":\s*"([^"]*)"/)[1];
  console.log(JSON.stringify({ signIn, visited, tools, echo, principal }));
} finally {
  await browser.close();
}
