// Headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// a web app on another origin calling the BFF through CORS, and GraphiQL
// loading and running a query with every non-loopback request cut off.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // Nothing but loopback resolves: "the network cut off".
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'];

/** Skips without Chromium, or fails when CI is set. */
function requireChromium(t) {
  if (existsSync(executablePath)) return true;
  if (process.env.CI) assert.fail(`${executablePath} is missing but CI is set: install it (apt-get install -y chromium)`);
  t.skip(`${executablePath} is missing; set CI to make this a failure`);
  return false;
}

/** A page served from the app's own origin: it calls the BFF and reports. */
const appPage = `<!doctype html><meta charset="utf-8"><title>web app</title><script>
async function call(url, token) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: JSON.stringify({ query: '{ product(id: "prd_000042") { name } }' }),
    });
    return { status: res.status, rateLimit: res.headers.get('ratelimit'), body: await res.json() };
  } catch (e) {
    return { blocked: String(e) };
  }
}
</script>`;

export function browserTests(env) {
  let context;
  let dataDir;
  let app;
  let otherApp;
  const blocked = [];

  before(async () => {
    if (!existsSync(executablePath)) return;
    dataDir = await mkdtemp(join(tmpdir(), 'tandem-chromium-'));
    context = await chromium.launchPersistentContext(dataDir, { executablePath, headless: true, args });
    // Record (and refuse) anything that leaves the machine.
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === '127.0.0.1' || host === 'localhost') return route.continue();
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const serve = (port) => new Promise((ok) => {
      const srv = createServer((_, res) => { res.setHeader('content-type', 'text/html'); res.end(appPage); });
      srv.listen(port, '127.0.0.1', () => ok(srv));
    });
    app = await serve(env.appPort);
    otherApp = await serve(0);
  });

  after(async () => {
    await context?.close();
    await new Promise((r) => (app ? app.close(r) : r()));
    await new Promise((r) => (otherApp ? otherApp.close(r) : r()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('CORS: the web app\'s origin calls bff-web with a token; another origin is blocked by the browser', async (t) => {
    if (!requireChromium(t)) return;
    const page = await context.newPage();
    await page.goto(`${env.appOrigin}/`);
    const ok = await page.evaluate(([url, token]) => globalThis.call(url, token), [`${env.web}/graphql`, env.token]);
    assert.equal(ok.status, 200, JSON.stringify(ok));
    assert.ok(ok.body.data.product.name);
    assert.ok(ok.rateLimit, 'the page can read the RateLimit header');

    const other = await context.newPage();
    await other.goto(`http://127.0.0.1:${otherApp.address().port}/`);
    const refused = await other.evaluate(([url, token]) => globalThis.call(url, token), [`${env.web}/graphql`, env.token]);
    assert.match(refused.blocked ?? '', /Failed to fetch/, JSON.stringify(refused));

    // bff-web in dev mode (make run) lets any localhost app call it.
    const dev = await page.evaluate(([url, token]) => globalThis.call(url, token), [`${env.webDev}/graphql`, env.token]);
    assert.equal(dev.status, 200, JSON.stringify(dev));
  });

  test('GraphiQL loads from the BFF and runs a query with the network cut off', async (t) => {
    if (!requireChromium(t)) return;
    const page = await context.newPage();
    const failed = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(`${env.webDev}/`);
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: 30_000 });
    await page.evaluate(() => {
      document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror
        .setValue('{ product(id: "prd_000042") { name brand } }');
    });
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => {
      const cm = document.querySelector('.result-window .CodeMirror')?.CodeMirror;
      return cm && cm.getValue().includes('"brand"');
    }, null, { timeout: 30_000 });
    const result = JSON.parse(await page.evaluate(() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()));
    assert.ok(result.data.product.name);
    assert.deepEqual(blocked, [], 'nothing was fetched from outside');
    assert.deepEqual(failed, []);
  });
}
