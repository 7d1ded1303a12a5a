/**
 * The web console (docs/console.md) in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the real admin API from dist/. Without the browser this file FAILS,
 * it does not skip: `.ci/run` installs it (scripts/ci-chromium.sh).
 *
 * Set OAUTH2_CONSOLE_SCREENSHOTS=<dir> to keep a screenshot of each page.
 */
import {
  AdminProcess,
  AT_HEADER,
  craftHs256,
  HIGRESS_DOC_CONSUMER1,
  HIGRESS_DOC_MATCH_RULES_YAML,
  HIGRESS_PLUGIN_URL,
  higressDocConsumersYaml,
  higressWasmPlugin,
  indentYaml,
  spawnAdmin,
  standardClaims,
} from '@oauth2/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.OAUTH2_TEST_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.OAUTH2_CONSOLE_SCREENSHOTS;
const TOKEN_KEY = 'oauth2-gateway.admin-token';
// Playwright adds --headless (headless: true) and the fresh --user-data-dir (the persistent context's dir).
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

jest.setTimeout(60_000);

let admin: AdminProcess;
let ctx: BrowserContext;
let page: Page;
let profile: string;
const consoleLines: string[] = [];
const pageErrors: string[] = [];
const requestUrls: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: the console tests need Debian's chromium package (apt-get install -y chromium; .ci/run installs it), or OAUTH2_TEST_CHROMIUM=/path/to/chromium`);
  }
  if (!fs.existsSync(path.resolve(__dirname, '..', 'dist', 'console', 'index.html'))) throw new Error('dist/console is not built: run `npm run build`');
  admin = await spawnAdmin();
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-console-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 } });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(15000);
  page.on('console', (m) => consoleLines.push(m.text()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requestUrls.push(r.url()));
});

afterAll(async () => {
  await ctx?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  if (admin) expect(await admin.stop()).toBe(0);
});

afterEach(() => {
  // No script error on any page, and the admin token never travels in a URL.
  expect(pageErrors).toEqual([]);
  if (admin) for (const u of requestUrls) expect(u).not.toContain(admin.token);
});

const shot = async (name: string) => {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};

/** Everything the page could have kept: DOM, both storages, URL, history state, resource timing names. */
const pageState = () =>
  page.evaluate(() =>
    JSON.stringify({
      html: document.documentElement.outerHTML,
      session: { ...sessionStorage },
      local: { ...localStorage },
      url: location.href,
      history: history.state,
      resources: performance.getEntries().map((e) => e.name),
    }),
  );

const errorLine = () => page.locator('[data-testid=error-line][role=alert]').first();

async function signIn(): Promise<void> {
  await page.goto(`${admin.url}/console/`);
  await page.locator('#token').fill(admin.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Consumers', level: 1 }).waitFor();
}

async function openPage(label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { name: label, level: 1 }).waitFor();
}

describe('serving', () => {
  it.each(['/console/', '/console/consumers', '/console/no/such/page', '/console/assets/missing.js'])('%s carries the CSP, nosniff and no framing', async (p) => {
    const res = await fetch(admin.url + p);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    if (p.startsWith('/console/assets/')) expect(res.status).toBe(404);
    else {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('<div id="root">');
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // no inline script
      expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere
    }
  });

  it('/console redirects to /console/; the built script is served with its type and the CSP', async () => {
    const res = await fetch(admin.url + '/console', { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/console/');
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    const js = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await (await fetch(admin.url + '/console/')).text())![1];
    const asset = await fetch(admin.url + js);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('content-security-policy')).toBe(CSP);
  });

  it('console files need no token, /v1 still does', async () => {
    expect((await fetch(admin.url + '/console/')).status).toBe(200);
    expect((await fetch(admin.url + '/v1/revision')).status).toBe(401);
  });
});

describe('sign-in', () => {
  it('a wrong token shows the 401 line and stays on sign-in; the right one opens the console and stays in sessionStorage only', async () => {
    await page.goto(`${admin.url}/console/`);
    await shot('sign-in');
    await page.locator('#token').fill('not-the-admin-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await errorLine().textContent()).toBe('Not signed in (401): invalid admin token');
    expect(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)).toBeNull();
    await signIn();
    expect(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)).toBe(admin.token);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(page.url()).toBe(`${admin.url}/console/consumers`);
    await page.getByText('No consumers yet.').waitFor();
    await shot('consumers-empty');
  });

  it('the CSP is in force in the page: an injected inline script does not run', async () => {
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.appendChild(s);
      return (window as unknown as { __inline?: number }).__inline;
    });
    expect(ran).toBeUndefined();
    consoleLines.length = 0; // Chromium logs the CSP refusal; that line is expected.
  });

  it('a 401 during the session returns to sign-in with the reason; sign-out clears the token', async () => {
    await page.evaluate((k) => sessionStorage.setItem(k, 'revoked-token'), TOKEN_KEY);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Routes' }).click();
    await page.getByText('Not signed in (401): invalid admin token. Sign in again.').waitFor();
    expect(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)).toBeNull();
    await signIn();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#token').waitFor();
    expect(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)).toBeNull();
    await signIn();
  });
});

describe('consumers', () => {
  it('an API refusal is one line naming the field', async () => {
    await page.getByRole('button', { name: 'New consumer' }).click();
    await page.locator('#c-name').fill('short-secret');
    await page.locator('#c-secret').fill('too-short');
    await page.getByRole('button', { name: 'Create' }).click();
    const line = await page.getByRole('dialog').locator('[role=alert]').textContent();
    expect(line).toMatch(/^Refused \(400\): .*client_secret.*32/);
    expect(line).not.toContain('\n');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('create shows the secret once: gone from the page, storage, URL and history once the dialog closes, and after a reload', async () => {
    await page.getByRole('button', { name: 'New consumer' }).click();
    await page.locator('#c-name').fill('alice');
    await page.getByRole('button', { name: 'Create' }).click();
    const secretEl = page.getByTestId('client-secret');
    await secretEl.waitFor();
    const secret = (await secretEl.textContent())!;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await shot('consumer-secret-once');
    // It is the real secret (the export, a backup, holds it) ...
    const exported = (await admin.api('GET', '/v1/export')).json.spec.defaultConfig.consumers as { name: string; client_secret: string }[];
    expect(exported.find((c) => c.name === 'alice')?.client_secret).toBe(secret);
    // ... never put in storage or the URL, even while shown ...
    const open = JSON.parse(await pageState());
    expect(JSON.stringify([open.session, open.local, open.url, open.history, open.resources])).not.toContain(secret);
    // ... and gone when the dialog closes.
    await page.getByRole('button', { name: /I have copied it/ }).click();
    await secretEl.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'alice', exact: true }).waitFor();
    expect(await pageState()).not.toContain(secret);
    await page.goBack();
    await page.goForward();
    await page.reload();
    await page.getByRole('cell', { name: 'alice', exact: true }).waitFor();
    expect(await pageState()).not.toContain(secret);
    for (const line of consoleLines) expect(line).not.toContain(secret);
    for (const u of requestUrls) expect(u).not.toContain(secret);
    await shot('consumers');
  });

  it('rotate shows the new secret once', async () => {
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'alice', exact: true }) });
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const secret = (await page.getByTestId('client-secret').textContent())!;
    const exported = (await admin.api('GET', '/v1/export')).json.spec.defaultConfig.consumers as { name: string; client_secret: string }[];
    expect(exported.find((c) => c.name === 'alice')?.client_secret).toBe(secret);
    await page.getByRole('button', { name: /I have copied it/ }).click();
    await page.getByTestId('client-secret').waitFor({ state: 'detached' });
    expect(await pageState()).not.toContain(secret);
  });

  it('delete names the rules it would change, then changes them', async () => {
    expect((await admin.api('POST', '/v1/consumers', { name: 'bob' })).status).toBe(201);
    expect((await admin.api('POST', '/v1/routes', { name: 'orders', upstream: 'http://127.0.0.1:9' })).status).toBe(201);
    const rule = (await admin.api('POST', '/v1/rules', { routes: ['orders'], allow: ['alice', 'bob'] })).json;
    await page.reload();
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'alice', exact: true }) });
    await row.getByRole('button', { name: 'Delete' }).click();
    const rules = page.getByTestId('delete-rules');
    await rules.waitFor();
    expect(await rules.textContent()).toContain(`rule #${rule.id} (routes orders; allows alice, bob)`);
    await shot('consumer-delete');
    await page.getByRole('button', { name: 'Delete and change 1 rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted alice' }).waitFor();
    expect((await admin.api('GET', '/v1/consumers/alice')).status).toBe(404);
    expect((await admin.api('GET', `/v1/rules/${rule.id}`)).json.allow).toEqual(['bob']);
  });

  it('find by name: an exact lookup, and an empty state that says what to do', async () => {
    await page.locator('#consumer-search').fill('nobody-here');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText('No consumer is named “nobody-here”.').waitFor();
    await page.locator('#consumer-search').fill('bob');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('cell', { name: 'bob', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Show all' }).click();
  });
});

describe('pages', () => {
  it('routes, policies (in evaluation order) and settings (with the Higress defaults) render', async () => {
    await openPage('Routes');
    await page.getByRole('cell', { name: 'orders', exact: true }).waitFor();
    await shot('routes');
    await openPage('Policies');
    expect(await page.getByTestId('rules').textContent()).toContain('checked first');
    await shot('policies');
    await openPage('Settings');
    expect(await page.locator('#s-token_ttl').inputValue()).toBe('7200');
    await page.locator('#s-token_ttl').fill('600');
    await page.getByRole('button', { name: 'Save 1 change' }).click();
    await page.getByText('Saved token_ttl.').waitFor();
    expect((await admin.api('GET', '/v1/settings')).json.token_ttl).toBe(600);
    await shot('settings');
  });
});

describe('Higress import', () => {
  const doc = higressWasmPlugin(`phase: AUTHN
priority: 350
url: ${HIGRESS_PLUGIN_URL}
defaultConfig:
  global_auth: false
  consumers:
${indentYaml(higressDocConsumersYaml(), 2)}
${HIGRESS_DOC_MATCH_RULES_YAML}`);

  it('preview is a dry run (nothing changes), then apply replaces the consumers and rules', async () => {
    const before = (await admin.api('GET', '/v1/revision')).json.revision;
    await openPage('Import');
    await page.locator('#import-doc').fill(doc);
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    const rows = await preview.locator('tbody tr').allTextContents();
    expect(rows).toEqual(['Consumers12', 'Policies12']);
    expect(await preview.textContent()).toMatch(/route-b/); // the unknown route's warning
    await shot('import-preview');
    expect((await admin.api('GET', '/v1/revision')).json.revision).toBe(before);
    expect((await admin.api('GET', '/v1/consumers/bob')).status).toBe(200);
    await preview.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('import-applied').waitFor();
    expect(await page.getByTestId('import-applied').textContent()).toMatch(/^Applied: 2 consumers and 2 policies, revision \d+/);
    expect((await admin.api('GET', '/v1/consumers/bob')).status).toBe(404);
    expect((await admin.api('GET', `/v1/consumers/${HIGRESS_DOC_CONSUMER1.name}`)).json.client_id).toBe(HIGRESS_DOC_CONSUMER1.client_id);
    expect((await admin.api('GET', '/v1/settings')).json.global_auth).toBe(false);
  });

  it('a broken document is one error line, and nothing is previewed', async () => {
    await page.locator('#import-doc').fill('issuer: x\nno_such_key: 1\n');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    expect(await errorLine().textContent()).toBe('Refused (400): no_such_key: unknown key');
    expect(await page.getByTestId('import-preview').count()).toBe(0);
  });
});

describe('explain', () => {
  it('shows each step, and the failing one for an expired token', async () => {
    const c = HIGRESS_DOC_CONSUMER1;
    expect((await admin.api('POST', '/v1/routes', { name: 'api', hosts: ['api.test'], upstream: 'http://127.0.0.1:9' })).status).toBe(201);
    expect((await admin.api('POST', '/v1/rules', { routes: ['api'], allow: [c.name] })).status).toBe(201);
    const now = Math.floor(Date.now() / 1000);
    const expired = craftHs256(AT_HEADER, standardClaims({ name: c.name, clientId: c.client_id, now: now - 7200, ttl: 600 }), c.client_secret);
    await openPage('Explain');
    await page.locator('#e-host').fill('api.test');
    await page.locator('#e-path').fill('/v1/orders');
    await page.locator('#e-token').fill(expired);
    await page.getByRole('button', { name: 'Explain' }).click();
    const result = page.getByTestId('explain-result');
    await result.waitFor();
    expect(await result.locator('h2').textContent()).toMatch(/^401 expired/);
    const failed = await page.locator('[data-testid=explain-steps] .step.bad').allTextContents();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/exp/);
    expect(await page.locator('[data-testid=explain-steps] .step.ok').count()).toBeGreaterThan(1);
    await shot('explain');
    for (const u of requestUrls) expect(u).not.toContain(expired);
  });
});

describe('hostile input is rendered as text', () => {
  const markup = '<img src=x onerror="window.__xss=1">';

  it('markup echoed back by the explainer stays text: no element, no script', async () => {
    await openPage('Explain');
    await page.getByLabel('without a token').check();
    await page.locator('#e-host').fill(markup);
    await page.locator('#e-path').fill('/<img/src=x/onerror=window.__xss=2>');
    await page.getByRole('button', { name: 'Explain' }).click();
    const echo = page.getByTestId('explain-request');
    await echo.waitFor();
    expect(await echo.textContent()).toContain(markup);
    expect(await echo.textContent()).toContain('/<img/src=x/onerror=window.__xss=2>');
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('a consumer name with markup is refused by validation, and the refusal is text', async () => {
    await openPage('Consumers');
    await page.getByRole('button', { name: 'New consumer' }).click();
    await page.locator('#c-name').fill(markup);
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await page.getByRole('dialog').locator('[role=alert]').textContent()).toMatch(/^Refused \(400\): name must be /);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.getByRole('button', { name: 'Cancel' }).click();
  });
});

describe('keys, revocations, export', () => {
  it('rotate a signing key: the new active key is listed', async () => {
    await openPage('Signing keys');
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.locator('#k-alg').selectOption('ES256');
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    await page.getByText(/^New active key .* \(ES256\)\.$/).waitFor();
    await page.getByRole('cell', { name: 'active', exact: true }).waitFor();
    expect((await admin.api('GET', '/v1/keys')).json.items.filter((k: { status: string }) => k.status === 'active')).toHaveLength(1);
    await shot('keys');
  });

  it('revoke every token of a client, then lift it', async () => {
    await openPage('Revocations');
    await page.getByText('Nothing is revoked.').waitFor();
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByLabel('every token of a client so far').check();
    await page.locator('#v-value').fill(HIGRESS_DOC_CONSUMER1.client_id);
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('cell', { name: `client_id ${HIGRESS_DOC_CONSUMER1.client_id}` }).waitFor();
    expect((await admin.api('GET', '/v1/revocations')).json.total).toBe(1);
    await shot('revocations');
    await page.getByRole('button', { name: 'Lift' }).click();
    await page.getByText('Nothing is revoked.').waitFor();
    expect((await admin.api('GET', '/v1/revocations')).json.total).toBe(0);
  });

  it('export downloads the document, secrets masked by default', async () => {
    await openPage('Export');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^oauth2-gateway-.*-redacted\.yaml$/);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('kind: WasmPlugin');
    expect(text).toContain(HIGRESS_DOC_CONSUMER1.client_id);
    expect(text).not.toContain(HIGRESS_DOC_CONSUMER1.client_secret);
  });
});

describe('layout', () => {
  it('is usable on a narrow window: the navigation stays reachable, nothing overflows sideways', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await openPage('Policies');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('narrow-policies');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('is keyboard reachable: Tab reaches the navigation and the page action', async () => {
    await openPage('Consumers');
    await page.locator('body').focus();
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? ''));
    }
    expect(seen).toEqual(expect.arrayContaining(['Routes', 'Settings', 'New consumer']));
  });
});
