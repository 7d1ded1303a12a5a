/**
 * The web console (docs/console.md) in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the real admin API from dist/. Without the browser this file FAILS,
 * it does not skip: `.ci/run` installs it (scripts/ci-chromium.sh).
 *
 * Set OAUTH2_CONSOLE_SCREENSHOTS=<dir> to keep a screenshot of each page (1280 px wide; docs/console/
 * holds the committed ones: OAUTH2_CONSOLE_SCREENSHOTS=docs/console npx jest test/console.e2e-spec.ts).
 */
import {
  AdminProcess,
  AT_HEADER,
  craftHs256,
  HIGRESS_DOC_CONSUMER1,
  HIGRESS_DOC_CONSUMER2,
  HIGRESS_DOC_MATCH_RULES_YAML,
  HIGRESS_PLUGIN_URL,
  higressDocConsumersYaml,
  higressWasmPlugin,
  indentYaml,
  runOauth2ctl,
  spawnAdmin,
  spawnGateway,
  standardClaims,
  type GatewayProcess,
} from '@oauth2/testing';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { expectText, launchConsoleBrowser, SHOTS, until, type ConsoleBrowser } from './console-browser';

const TOKEN_KEY = 'oauth2-gateway.admin-token';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

jest.setTimeout(60_000);

let admin: AdminProcess;
let browser: ConsoleBrowser;
let page: Page;
const consoleLines: string[] = [];
const pageErrors: string[] = [];
const requestUrls: string[] = [];
/** Every answer the browser got from /console/ (documents, scripts, styles, icons): each must carry the CSP. */
const consoleResponses: { url: string; csp: string | null }[] = [];
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  admin = await spawnAdmin();
  browser = await launchConsoleBrowser();
  page = browser.page;
  page.on('console', (m) => consoleLines.push(m.text()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requestUrls.push(r.url()));
  page.on('response', (r) => {
    if (r.url().startsWith(`${admin.url}/console`)) consoleResponses.push({ url: r.url(), csp: r.headers()['content-security-policy'] ?? null });
  });
});

afterAll(async () => {
  for (const g of gateways) {
    g.child.kill('SIGCONT');
    await g.stop();
  }
  await browser?.close();
  if (admin) expect(await admin.stop()).toBe(0);
});

afterEach(() => {
  // No script error on any page, and the admin token never travels in a URL.
  expect(pageErrors).toEqual([]);
  if (admin) for (const u of requestUrls) expect(u).not.toContain(admin.token);
  // The CSP header is on every console response the browser loaded during the test.
  expect(consoleResponses.filter((r) => r.csp !== CSP)).toEqual([]);
});

/** A PNG of the page as shown (1280 px wide); `fullPage: false` keeps a long list to the first screen. */
const shot = async (name: string, fullPage = true) => {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
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

async function signIn(token = admin.token): Promise<void> {
  await page.goto(`${admin.url}/console/`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Consumers', level: 1 }).waitFor();
}

const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
const dialog = () => page.getByRole('dialog');
/** The rule ids the Policies page shows, top to bottom. */
const order = async () => (await page.locator('[data-testid=rules] > li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-rule-id'))))) as number[];
const ok = async (method: string, p: string, body?: unknown) => {
  const r = await admin.api(method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p} -> ${r.status} ${r.text}`);
  return r.json;
};
const oauth2ctl = (args: string[]) => runOauth2ctl(args, { cwd: admin.dataDir, env: { OAUTH2_SERVER: admin.url, OAUTH2_ADMIN_TOKEN: admin.token } });

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
    expect(await page.getByTestId('whoami').textContent()).toBe('root admin');
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
    await expectText(rules, `rule #${rule.id} (routes orders; allows alice, bob)`);
    await page.getByRole('button', { name: 'Delete and change 1 rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted alice' }).waitFor();
    expect((await admin.api('GET', '/v1/consumers/alice')).status).toBe(404);
    expect((await admin.api('GET', `/v1/rules/${rule.id}`)).json.allow).toEqual(['bob']);
  });

  it('create with scopes and groups; edit them (PATCH); the list shows them', async () => {
    await page.getByRole('button', { name: 'New consumer' }).click();
    await page.locator('#c-name').fill('carol');
    await dialog().getByLabel('only these').check();
    await page.locator('#c-scopes').fill('orders:read orders:write');
    await page.locator('#c-groups').fill('billing, ops');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('client-secret').waitFor();
    await page.getByRole('button', { name: /I have copied it/ }).click();
    expect(await ok('GET', '/v1/consumers/carol')).toMatchObject({ scopes: ['orders:read', 'orders:write'], groups: ['billing', 'ops'] });
    await expectText(row('carol'), 'orders:write');

    await row('carol').getByRole('button', { name: 'Edit carol' }).click();
    expect(await page.locator('#c-scopes').inputValue()).toBe('orders:read orders:write');
    await page.locator('#c-scopes').fill('orders:read');
    await page.locator('#c-groups').fill('billing');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved carol.').waitFor();
    expect(await ok('GET', '/v1/consumers/carol')).toMatchObject({ scopes: ['orders:read'], groups: ['billing'] });
    // Back to unrestricted: scopes null.
    await row('carol').getByRole('button', { name: 'Edit carol' }).click();
    await dialog()
      .getByLabel(/any \(unrestricted/)
      .check();
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved carol.').waitFor();
    expect((await ok('GET', '/v1/consumers/carol')).scopes).toBeNull();
    await row('carol').getByText('any (unrestricted)').waitFor();
    // A bad scope is one line naming the field.
    await row('carol').getByRole('button', { name: 'Edit carol' }).click();
    await dialog().getByLabel('only these').check();
    await page.locator('#c-scopes').fill('bad"scope');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await expectText(dialog().locator('[role=alert]'), /^Refused \(400\): .*scopes/);
    await dialog().getByRole('button', { name: 'Cancel' }).click();
  });

  it('a consumer that authenticates with its certificate (RFC 8705): created and edited in the dialog, no secret shown, the list says how it authenticates', async () => {
    // Its own consumer is removed even when a step fails, so the tests after it see the list they expect.
    try {
      await page.getByRole('button', { name: 'New consumer' }).click();
      await page.locator('#c-name').fill('m2m');
      await dialog()
        .getByLabel(/a certificate from our CA/)
        .check();
      // No secret field for a certificate consumer.
      expect(await page.locator('#c-secret').count()).toBe(0);
      await page.locator('#c-tls-subject').fill('CN=m2m,O=Example');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByText('Created m2m: it authenticates with its TLS client certificate, so there is no secret to keep.').waitFor();
      expect(await page.getByTestId('client-secret').count()).toBe(0);
      expect(await ok('GET', '/v1/consumers/m2m')).toMatchObject({ auth_method: 'tls_client_auth', tls_subject: 'CN=m2m,O=Example', tls_thumbprint: null });
      await expectText(row('m2m'), 'certificate CN=m2m,O=Example');
      await expectText(row('carol'), 'client secret');
      // To a self-signed certificate: a bad thumbprint is one line naming the field, a good one is saved.
      await row('m2m').getByRole('button', { name: 'Edit m2m' }).click();
      await dialog()
        .getByLabel(/its self-signed/)
        .check();
      await page.locator('#c-tls-thumbprint').fill('not-a-thumbprint');
      await dialog().getByRole('button', { name: 'Save' }).click();
      await expectText(dialog().locator('[role=alert]'), /^Refused \(400\): .*tls_thumbprint/);
      const x5t = createHash('sha256').update('a certificate').digest('base64url');
      await page.locator('#c-tls-thumbprint').fill(x5t);
      await dialog().getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved m2m.').waitFor();
      expect(await ok('GET', '/v1/consumers/m2m')).toMatchObject({ auth_method: 'self_signed_tls_client_auth', tls_subject: null, tls_thumbprint: x5t });
      await expectText(row('m2m'), `self-signed certificate ${x5t.slice(0, 12)}`);
    } finally {
      await admin.api('DELETE', '/v1/consumers/m2m?force=true');
      await page.reload();
      await row('carol').waitFor();
    }
  });

  it('rotate with a grace period: 15m keeps the previous secret 900 s; a bad grace is one line naming the field', async () => {
    await row('carol').getByRole('button', { name: 'Rotate secret' }).click();
    await page.locator('#r-grace').fill('2 hours');
    await dialog().getByRole('button', { name: 'Rotate secret' }).click();
    await expectText(dialog().locator('[role=alert]'), /^Refused: grace: /);
    await page.locator('#r-grace').fill('15m');
    await expectText(page.getByTestId('grace-meaning'), '900 seconds');
    const before = Date.now();
    await dialog().getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByTestId('client-secret').waitFor();
    await page.getByRole('button', { name: /I have copied it/ }).click();
    const until = Date.parse((await ok('GET', '/v1/consumers/carol')).previous_secret_expires_at);
    expect(until).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 899_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 901_000);
    await row('carol')
      .getByText(/previous secret works until/)
      .waitFor();
    for (const [grace, seconds] of [
      ['0', 0],
      ['2h', 7200],
    ] as const) {
      await row('carol').getByRole('button', { name: 'Rotate secret' }).click();
      await page.locator('#r-grace').fill(grace);
      await dialog().getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByTestId('client-secret').waitFor();
      await page.getByRole('button', { name: /I have copied it/ }).click();
      const c = await ok('GET', '/v1/consumers/carol');
      if (seconds === 0) expect(c.previous_secret_expires_at).toBeNull();
      else expect(Date.parse(c.previous_secret_expires_at) - Date.now()).toBeGreaterThan((seconds - 60) * 1000);
    }
  });

  it('delete names the rules it leaves allowing nobody', async () => {
    await ok('POST', '/v1/consumers', { name: 'dave' });
    const only = await ok('POST', '/v1/rules', { routes: ['orders'], allow: ['dave'], scopes: ['orders:read'] });
    const shared = await ok('POST', '/v1/rules', { routes: ['orders'], allow: ['dave'], allow_groups: ['billing'] });
    await page.reload();
    await row('dave').getByRole('button', { name: 'Delete' }).click();
    const rules = page.getByTestId('delete-rules');
    await rules.waitFor();
    const items = await rules.locator('li').allTextContents();
    expect(items).toEqual([`rule #${only.id} (routes orders; allows dave; requires orders:read) — left allowing nobody`, `rule #${shared.id} (routes orders; allows dave; groups billing)`]);
    await expectText(page.getByTestId('delete-empties'), /^One policy is left with no consumer and no group/);
    await shot('consumer-delete');
    await page.getByRole('button', { name: 'Delete and change 2 rules' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted dave' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Deleted dave' }).textContent()).toBe(`Deleted dave; rules #${shared.id} updated, #${only.id} now allows nobody.`);
    expect(await ok('GET', `/v1/rules/${only.id}`)).toMatchObject({ allow: [], allow_groups: [], scopes: [] });
    await ok('DELETE', `/v1/rules/${only.id}`);
    await ok('DELETE', `/v1/rules/${shared.id}`);
  });

  it('search by part of a name or client_id, filter by group, empty states that say what to do', async () => {
    await page.locator('#consumer-search').fill('nobody-here');
    await page.getByText('No consumer matches.').waitFor();
    await expectText(page.locator('div.empty'), 'Nothing has “nobody-here” in its name or client_id');
    await page.locator('#consumer-search').fill('AR'); // any case, a substring
    await row('carol').waitFor();
    expect(await page.getByTestId('consumers').locator('tbody tr').count()).toBe(1);
    await page.locator('#consumer-search').fill('');
    await page.locator('#consumer-group').fill('billing');
    await row('carol').waitFor();
    await row('bob').waitFor({ state: 'detached' });
    await page.locator('#consumer-group').fill('no-such-group');
    await page.getByText('No consumer matches.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await row('bob').waitFor();
  });
});

describe('pages', () => {
  it('routes, policies (in evaluation order) and settings (with the Higress defaults) render', async () => {
    await openPage('Routes');
    await page.getByRole('cell', { name: 'orders', exact: true }).waitFor();
    await shot('routes');
    await openPage('Policies');
    await expectText(page.getByTestId('rules'), 'checked first');
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
    const rows = await page.getByTestId('import-counts').locator('tbody tr').allTextContents();
    expect(rows).toEqual(['Consumers22', 'Policies12']);
    await expectText(preview, /route-b/); // the unknown route's warning
    // The `changes` of the dry run: the consumers the apply would remove are listed by name.
    expect(await page.getByTestId('consumers-removed').locator('li').allTextContents()).toEqual(['bob', 'carol']);
    expect(await page.getByTestId('consumers-added').locator('li').allTextContents()).toEqual(['consumer1', 'consumer2']);
    await expectText(page.getByTestId('rules-removed'), 'routes orders: allow bob');
    await expectText(page.getByTestId('rules-added'), 'routes route-a, route-b: allow consumer1');
    expect(await page.getByTestId('settings-changed').locator('li').allTextContents()).toEqual(expect.arrayContaining(['global_auth: unset → false', 'token_ttl: 600 → 7200']));
    await shot('import-preview');
    expect((await admin.api('GET', '/v1/revision')).json.revision).toBe(before);
    expect((await admin.api('GET', '/v1/consumers/bob')).status).toBe(200);
    await preview.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('import-applied').waitFor();
    await expectText(page.getByTestId('import-applied'), /^Applied: 2 consumers and 2 policies, revision \d+/);
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
    await expectText(result.locator('h2'), /^401 expired/);
    const failed = await page.locator('[data-testid=explain-steps] .step.bad').allTextContents();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/exp/);
    expect(await page.locator('[data-testid=explain-steps] .step.ok').count()).toBeGreaterThan(1);
    await shot('explain');
    for (const u of requestUrls) expect(u).not.toContain(expired);
  });
});

describe('policies: reorder, and oauth2ctl explain agrees with the page', () => {
  it('add a policy with groups and scopes, move it above another, then the CLI decides on the rule the page shows first', async () => {
    const c2 = HIGRESS_DOC_CONSUMER2.name;
    await ok('PATCH', `/v1/consumers/${c2}`, { groups: ['partners'], scopes: ['orders:read'] });
    const first = await ok('POST', '/v1/rules', { routes: ['api'], allow: [HIGRESS_DOC_CONSUMER1.name], position: 1 });
    await openPage('Policies');
    await page.getByRole('button', { name: 'New policy' }).click();
    await page.locator('#p-targets').fill('api');
    await page.locator('#p-groups').fill('partners');
    await page.locator('#p-scopes').fill('orders:read');
    await dialog().getByRole('button', { name: 'Create' }).click();
    await page.getByText(/^Saved rule #\d+\.$/).waitFor();
    const rules = (await ok('GET', '/v1/rules')).items as { id: number; routes?: string[]; allow_groups: string[]; scopes: string[]; position: number }[];
    const added = rules.find((r) => r.allow_groups.includes('partners'))!;
    expect(added).toMatchObject({ routes: ['api'], scopes: ['orders:read'] });
    const apiRules = () => page.locator(`[data-testid=rules] > li`).filter({ hasText: /routes api/ });
    const now = Math.floor(Date.now() / 1000);
    const token = craftHs256(AT_HEADER, { ...standardClaims({ name: c2, clientId: HIGRESS_DOC_CONSUMER2.client_id, now }), scope: 'orders:read' }, HIGRESS_DOC_CONSUMER2.client_secret);
    const explain = async () => {
      const r = await oauth2ctl(['explain', '--host', 'api.test', '--path', '/v1/orders', '--access-token', token]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      return { rule: Number(/^rule: +#(\d+) /m.exec(r.stdout)?.[1]), outcome: /^outcome: +(.*)$/m.exec(r.stdout)?.[1] };
    };
    // Before: the consumer1-only rule is above, so consumer2 is refused by it.
    expect((await order()).indexOf(first.id)).toBeLessThan((await order()).indexOf(added.id));
    expect(await explain()).toEqual({ rule: first.id, outcome: expect.stringMatching(/^403 .*not_allowed/) });
    // Move the new policy up until it is above the other one on the same route.
    while ((await order()).indexOf(added.id) > (await order()).indexOf(first.id)) {
      const before = await order();
      await page.getByRole('button', { name: `Move rule #${added.id} up` }).click();
      await page.getByText(new RegExp(`^Moved rule #${added.id} up`)).waitFor();
      await until(order, (o) => JSON.stringify(o) !== JSON.stringify(before));
    }
    const shown = await order();
    const firstOnApi = shown.find((id) => id === added.id || id === first.id);
    expect(firstOnApi).toBe(added.id);
    // The CLI (a real process against the same API) decides on the rule the page now shows first, and lets consumer2 through.
    expect(await explain()).toEqual({ rule: added.id, outcome: expect.stringMatching(/^200 /) });
    // And the order on the page is the API's order (position, then id).
    const api = ((await ok('GET', '/v1/rules')).items as { id: number; position: number }[]).sort((a, b) => a.position - b.position || a.id - b.id).map((r) => r.id);
    expect(shown).toEqual(api);
    // Edit it: a second required scope that consumer2's token does not carry; the CLI then refuses with insufficient_scope.
    await page.getByRole('button', { name: `Edit rule #${added.id}` }).click();
    expect(await page.locator('#p-groups').inputValue()).toBe('partners');
    await page.locator('#p-scopes').fill('orders:read orders:write');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved rule #${added.id}.`).waitFor();
    expect((await ok('GET', `/v1/rules/${added.id}`)).scopes).toEqual(['orders:read', 'orders:write']);
    await page.locator(`[data-rule-id="${added.id}"]`).getByText('orders:write').waitFor();
    expect(await explain()).toEqual({ rule: added.id, outcome: expect.stringMatching(/^403 .*insufficient_scope/) });
    await page.getByRole('button', { name: `Edit rule #${added.id}` }).click();
    await page.locator('#p-scopes').fill('orders:read');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.getByText(`Saved rule #${added.id}.`).waitFor();
    expect(await explain()).toEqual({ rule: added.id, outcome: expect.stringMatching(/^200 /) });
    // Down again: one click back below it.
    await page.getByRole('button', { name: `Move rule #${added.id} down` }).click();
    await page.getByText(new RegExp(`^Moved rule #${added.id} down`)).waitFor();
    await until(order, (o) => o.indexOf(added.id) > o.indexOf(first.id));
    expect((await explain()).rule).toBe(first.id);
    expect(await apiRules().count()).toBe(3);
  });

  it('a rule an import kept for a route that does not exist yet is marked, and moving it is one line naming the route', async () => {
    const kept = ((await ok('GET', '/v1/rules')).items as { id: number; routes?: string[] }[]).find((r) => r.routes?.includes('route-a'))!;
    const li = page.locator(`[data-rule-id="${kept.id}"]`);
    expect(await li.locator('.warn-tag').textContent()).toBe('no such route yet: route-a, route-b');
    await page.getByRole('button', { name: `Move rule #${kept.id} down` }).click();
    expect(await errorLine().textContent()).toBe('Refused (400): routes[0]: route "route-a" does not exist');
  });

  it('equal positions leave no room: the move renumbers the neighbours, and the order follows the clicks', async () => {
    type R = { id: number; routes?: string[]; allow: string[]; allow_groups: string[]; scopes: string[]; position: number };
    const onApi = ((await ok('GET', '/v1/rules')).items as R[]).filter((r) => r.routes?.includes('api'));
    expect(onApi).toHaveLength(3);
    for (const r of onApi) await ok('PUT', `/v1/rules/${r.id}`, { routes: r.routes, allow: r.allow, allow_groups: r.allow_groups, scopes: r.scopes, position: 50 });
    await page.reload();
    const apiOrder = async () => ((await ok('GET', '/v1/rules')).items as R[]).sort((a, b) => a.position - b.position || a.id - b.id).map((r) => r.id);
    const before = await apiOrder();
    const tied = onApi.map((r) => r.id).sort((a, b) => a - b); // ties are broken by id
    expect(before.filter((id) => tied.includes(id))).toEqual(tied);
    const last = tied[2];
    await page.getByRole('button', { name: `Move rule #${last} up` }).click();
    await page.getByText(new RegExp(`^Moved rule #${last} up to place \\d+ \\(renumbered \\d+ rules\\)\\.$`)).waitFor();
    const want = [...before];
    const at = want.indexOf(last);
    [want[at - 1], want[at]] = [want[at], want[at - 1]];
    expect(await apiOrder()).toEqual(want);
    expect(await order()).toEqual(want);
    await shot('policies');
  });

  it('a notice comes with the list it speaks of: with the list answer held back, "Saved" and "Moved" wait for it, and the move buttons stay busy until then', async () => {
    await openPage('Policies');
    // The page's own reads of the rule list get the real answer, 1.5 s late (as from a loaded admin API).
    let held = 0;
    await page.route(/\/v1\/rules\?/, async (r) => {
      if (r.request().method() === 'GET') {
        held++;
        await new Promise((res) => setTimeout(res, 1500));
      }
      await r.continue();
    });
    let id = 0;
    try {
      await page.getByRole('button', { name: 'New policy' }).click();
      await page.locator('#p-targets').fill('api');
      await page.locator('#p-allow').fill(HIGRESS_DOC_CONSUMER1.name);
      await dialog().getByRole('button', { name: 'Create' }).click();
      const saved = page.getByText(/^Saved rule #\d+\.$/);
      await saved.waitFor();
      id = Number(/#(\d+)/.exec((await saved.textContent())!)![1]);
      // No waiting here: once the notice is up, the list already has the rule.
      const before = await order();
      expect(before).toContain(id);
      const at = before.indexOf(id);
      await page.getByRole('button', { name: `Move rule #${id} up` }).click();
      // While the list is on its way, no move can be made against the order as it was.
      expect(await page.getByRole('button', { name: `Move rule #${before[0]} down` }).isDisabled()).toBe(true);
      await page.getByText(new RegExp(`^Moved rule #${id} up`)).waitFor();
      expect((await order()).indexOf(id)).toBe(at - 1);
      expect(held).toBeGreaterThanOrEqual(2);
    } finally {
      await page.unrouteAll({ behavior: 'wait' });
      if (id) await ok('DELETE', `/v1/rules/${id}`);
    }
  });
});

describe('roles', () => {
  let viewer: string;

  it('a viewer token sees no write control on any page', async () => {
    viewer = (await ok('POST', '/v1/admin-tokens', { name: 'auditor', role: 'viewer' })).token;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(viewer);
    expect(await page.getByTestId('whoami').textContent()).toBe('auditor viewer');
    const writes = /^(New consumer|New route|New policy|New admin token|Edit|Rotate secret|Rotate key|Rotate|Delete|Revoke|Retire|Lift|Save.*|Preview \(dry run\)|Apply|↑|↓|use default)$/;
    for (const label of ['Consumers', 'Routes', 'Policies', 'Signing keys', 'Revocations', 'Settings', 'Import', 'Export', 'Admin tokens', 'Audit log', 'Nodes', 'Dashboard']) {
      await openPage(label);
      await page
        .locator('main [aria-busy=true]')
        .first()
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
      await page.waitForLoadState('networkidle');
      const buttons = (await page.locator('main button:visible').allTextContents()).map((t) => t.trim());
      expect({ label, writes: buttons.filter((b) => writes.test(b)) }).toEqual({ label, writes: [] });
      const enabledInputs = await page.locator('main .settings input:enabled, main .settings select:enabled, main #import-doc:visible').count();
      expect({ label, enabledInputs }).toEqual({ label, enabledInputs: 0 });
    }
    await openPage('Import');
    await expectText(page.getByTestId('readonly'), 'needs the operator role, and you are signed in as viewer');
    await shot('viewer-import');
  });

  it('a forced write (the page made to believe it may write) shows the 403 line naming the role needed', async () => {
    // Tamper with what the page knows of its role: /v1/whoami answers "operator" for the viewer token.
    await page.route('**/v1/whoami', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ name: 'auditor', role: 'operator' }) }));
    await page.reload();
    await openPage('Consumers');
    await page.getByRole('button', { name: 'New consumer' }).click();
    await page.locator('#c-name').fill('forced');
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await dialog().locator('[role=alert]').textContent()).toBe('Forbidden (403): role viewer may not POST /v1/consumers; it needs operator');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect((await admin.api('GET', '/v1/consumers/forced')).status).toBe(404);
    await page.unroute('**/v1/whoami');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn();
  });
});

describe('admin tokens', () => {
  it('an admin creates a token (shown once, works), and revokes it (refused at once)', async () => {
    await openPage('Admin tokens');
    const tokenRow = (name: string) =>
      page
        .getByTestId('admin-tokens')
        .getByRole('row')
        .filter({ has: page.locator('td.mono', { hasText: new RegExp(`^${name}(you)?$`) }) });
    await tokenRow('root').getByText('you').waitFor();
    await tokenRow('auditor').waitFor();
    await page.getByRole('button', { name: 'New admin token' }).click();
    await page.locator('#t-name').fill('ci-deploy');
    await dialog()
      .getByLabel(/operator/)
      .check();
    await page.locator('#t-life').selectOption({ label: '1 day' });
    await dialog().getByRole('button', { name: 'Create' }).click();
    const tokenEl = page.getByTestId('admin-token');
    await tokenEl.waitFor();
    const token = (await tokenEl.textContent())!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await shot('admin-token-once');
    const whoami = await fetch(`${admin.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(await whoami.json()).toEqual({ name: 'ci-deploy', role: 'operator' });
    expect(JSON.stringify(JSON.parse(await pageState()).session)).not.toContain(token);
    await page.getByRole('button', { name: /I have copied it/ }).click();
    await tokenEl.waitFor({ state: 'detached' });
    expect(await pageState()).not.toContain(token);
    await expectText(tokenRow('ci-deploy'), 'operator');
    await shot('admin-tokens');
    await page.getByRole('button', { name: 'Revoke ci-deploy' }).click();
    await dialog().getByRole('button', { name: 'Revoke' }).click();
    await page.getByText(/^Revoked ci-deploy/).waitFor();
    expect((await fetch(`${admin.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    for (const line of consoleLines) expect(line).not.toContain(token);
  });
});

describe('audit log', () => {
  it('lists the writes newest first, pages of 50, filters by action', async () => {
    for (let i = 0; i < 55; i++) await ok('POST', '/v1/routes', { name: `bulk-${String(i).padStart(2, '0')}`, path_prefix: `/bulk${i}`, upstream: 'http://127.0.0.1:9' });
    const total = (await ok('GET', '/v1/audit?limit=1')).total as number;
    await openPage('Audit log');
    const table = page.getByTestId('audit');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(50);
    await expectText(table.locator('tbody tr').first(), 'bulk-54');
    await page.getByText(`1–50 of ${total.toLocaleString('en-US')}`).waitFor();
    await shot('audit', false);
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText(`51–${Math.min(100, total)} of ${total.toLocaleString('en-US')}`).waitFor();
    await page.locator('#a-action').fill('admin_token.*');
    await page.getByRole('button', { name: 'Filter' }).click();
    // The filtered answer replaces the page shown before it, which can itself hold admin_token rows: wait for it.
    const want = ['admin_token.delete', 'admin_token.create', 'admin_token.create'];
    const actions = await until(
      () => table.locator('tbody tr td:nth-child(3)').allTextContents(),
      (a) => JSON.stringify(a) === JSON.stringify(want),
    );
    expect(actions).toEqual(want);
    expect(await table.textContent()).not.toMatch(/[A-Za-z0-9_-]{43}/); // never a token
  });
});

describe('nodes and dashboard (two live gateways heartbeating to the same store)', () => {
  it('nodes show revision, lag and live; the dashboard charts requests by outcome per route from both', async () => {
    await ok('POST', '/v1/routes', { name: 'dash', path_prefix: '/dash', upstream: 'http://127.0.0.1:9' });
    await ok('POST', '/v1/rules', { routes: ['dash'], allow: [HIGRESS_DOC_CONSUMER1.name] });
    for (const name of ['gw-a', 'gw-b']) gateways.push(await spawnGateway({ dataDir: admin.dataDir, env: { GATEWAY_NODE_NAME: name, GATEWAY_HEARTBEAT_S: '0.2' } }));
    const rev = (await ok('GET', '/v1/revision')).revision as number;
    await Promise.all(gateways.map((g) => g.waitForRevision(rev)));
    // Requests without a token on /dash: 3 through gw-a, 2 through gw-b (401 each).
    const sent = [3, 2];
    for (const [i, g] of gateways.entries())
      for (let k = 0; k < sent[i]; k++) {
        const r = await fetch(`${g.url}/dash/x`);
        expect(r.status).toBe(401);
      }
    // And through gw-b, a valid token of consumer1 (allowed; the upstream is down: 502) on /dash and on /bulk7.
    const c1 = HIGRESS_DOC_CONSUMER1;
    const t = craftHs256(AT_HEADER, standardClaims({ name: c1.name, clientId: c1.client_id, now: Math.floor(Date.now() / 1000) }), c1.client_secret);
    for (const p of ['/dash/y', '/dash/z', '/bulk7/a']) expect((await fetch(`${gateways[1].url}${p}`, { headers: { authorization: `Bearer ${t}` } })).status).toBe(502);
    type N = { name: string; status: string; lag: number; revision: number; counters: Record<string, Record<string, number>> };
    const nodes = async () => (await ok('GET', '/v1/nodes')).items as N[];
    const seen = await until(
      async () => (await nodes()).map((n) => [n.name, n.status, n.revision, n.counters.dash?.unauthorized ?? 0, n.counters.dash?.upstream_error ?? 0, n.counters['bulk-07']?.upstream_error ?? 0]),
      (v) =>
        JSON.stringify(v) ===
        JSON.stringify([
          ['gw-a', 'live', rev, 3, 0, 0],
          ['gw-b', 'live', rev, 2, 2, 1],
        ]),
      15000,
    );
    expect(seen).toHaveLength(2);

    await openPage('Nodes');
    const table = page.getByTestId('nodes');
    await table.waitFor();
    for (const name of ['gw-a', 'gw-b']) {
      const cells = await row(name).locator('td').allTextContents();
      expect(cells.slice(0, 5)).toEqual([name, 'live', String(rev), '0', '1']);
    }
    await shot('nodes');

    await openPage('Dashboard');
    await page.getByTestId('chart').waitFor();
    expect(await page.getByTestId('dashboard-nodes').textContent()).toBe('From 2 nodes (2 live): gw-a, gw-b.');
    // The chart draws both nodes' counters summed: 3 + 2 refusals on route dash.
    const bar = page.locator('[data-testid=chart] g[data-route=dash] rect[data-outcome=unauthorized]');
    await until(
      () => bar.getAttribute('data-count'),
      (c) => c === '5',
    );
    expect(Number(await bar.getAttribute('width'))).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=chart] g[data-route=dash]').getAttribute('data-total')).toBe('7');
    expect(await page.locator('[data-testid=chart] g[data-route=dash] rect[data-outcome=upstream_error]').getAttribute('data-count')).toBe('2');
    expect(await page.locator('[data-testid=chart] g[data-route=bulk-07]').getAttribute('data-total')).toBe('1');
    await expectText(page.getByTestId('chart-table').getByRole('row').filter({ hasText: 'dash' }).first(), /dash.*7$/);
    await expectText(page.getByTestId('chart-table'), 'unauthorized');
    await shot('dashboard');
  });

  it('a gateway that stops heartbeating turns stale on the nodes page, and shows its lag after a write', async () => {
    const [a, b] = gateways;
    b.child.kill('SIGSTOP');
    try {
      await ok('POST', '/v1/consumers', { name: 'while-b-sleeps' });
      const rev = (await ok('GET', '/v1/revision')).revision as number;
      await a.waitForRevision(rev);
      await openPage('Nodes');
      // The page refreshes itself every 5 s: no reload here.
      await row('gw-b').getByText('stale', { exact: true }).waitFor({ timeout: 20000 });
      await until(
        () => row('gw-a').locator('td').allTextContents(),
        (c) => c[1] === 'live' && c[3] === '0',
        20000,
      );
      expect((await row('gw-b').locator('td').allTextContents()).slice(1, 4)).toEqual(['stale', String(rev - 1), '1']);
    } finally {
      b.child.kill('SIGCONT');
    }
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
    await expectText(echo, markup);
    await expectText(echo, '/<img/src=x/onerror=window.__xss=2>');
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('a consumer name with markup is refused by validation, and the refusal is text', async () => {
    await openPage('Consumers');
    await page.getByRole('button', { name: 'New consumer' }).click();
    await page.locator('#c-name').fill(markup);
    await page.getByRole('button', { name: 'Create' }).click();
    await expectText(page.getByRole('dialog').locator('[role=alert]'), /^Refused \(400\): name must be /);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  const noScriptRan = async () => {
    expect(await page.evaluate(() => document.querySelectorAll('main img, dialog img').length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  };

  it('a consumer group with markup is refused by validation; the refusal is one line of text', async () => {
    await row(HIGRESS_DOC_CONSUMER1.name)
      .getByRole('button', { name: `Edit ${HIGRESS_DOC_CONSUMER1.name}` })
      .click();
    await page.locator('#c-groups').fill(markup);
    await dialog().getByRole('button', { name: 'Save' }).click();
    await expectText(dialog().locator('[role=alert]'), /^Refused \(400\): .*groups/);
    await noScriptRan();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
  });

  it('markup typed in the consumer search is echoed in the empty state as text', async () => {
    await page.locator('#consumer-search').fill(markup);
    await page.getByText('No consumer matches.').waitFor();
    await expectText(page.locator('div.empty'), `Nothing has “${markup}”`);
    await noScriptRan();
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('a route host with markup is refused by validation, as text', async () => {
    await openPage('Routes');
    await page.getByRole('button', { name: 'New route' }).click();
    await page.locator('#r-name').fill('hostile');
    await page.locator('#r-hosts').fill(markup);
    await page.locator('#r-upstream').fill('http://127.0.0.1:9');
    await dialog()
      .getByRole('button', { name: /^(Create|Save)$/ })
      .click();
    await expectText(dialog().locator('[role=alert]'), /^Refused \(400\): .*hosts/);
    await noScriptRan();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect((await admin.api('GET', '/v1/routes/hostile')).status).toBe(404);
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
    // The secret rotations earlier in this file cut off a client's older tokens (a client revocation): lift those first.
    for (const r of (await ok('GET', '/v1/revocations')).items as { id: number }[]) await ok('DELETE', `/v1/revocations/${r.id}`);
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

describe('CSP on every page', () => {
  it.each(['/dashboard', '/nodes', '/audit', '/consumers', '/routes', '/policies', '/explain', '/keys', '/revocations', '/settings', '/import', '/export', '/admin-tokens'])(
    '%s loaded in full: the document, its script, style and icon all carry the CSP',
    async (p) => {
      const from = consoleResponses.length;
      await page.goto(`${admin.url}/console${p}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      const loaded = consoleResponses.slice(from);
      expect(loaded.map((r) => new URL(r.url).pathname)).toEqual(
        expect.arrayContaining([`/console${p}`, expect.stringMatching(/^\/console\/assets\/main-.*\.js$/), expect.stringMatching(/^\/console\/assets\/main-.*\.css$/)]),
      );
      for (const r of loaded) expect({ url: r.url, csp: r.csp }).toEqual({ url: r.url, csp: CSP });
    },
  );
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

  it.each(['/consumers', '/policies', '/audit', '/nodes', '/dashboard', '/settings', '/admin-tokens'])('%s loads without layout shift (CLS below 0.1, the "good" mark)', async (p) => {
    await page.goto(`${admin.url}/console${p}`);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    await page.locator('main [aria-busy=true]').first().waitFor({ state: 'detached' });
    const cls = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let sum = 0;
          new PerformanceObserver((list) => {
            for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) if (!e.hadRecentInput) sum += e.value;
          }).observe({ type: 'layout-shift', buffered: true });
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(sum)));
        }),
    );
    expect(cls).toBeLessThan(0.1);
    // The measure works: blocks pushed in above the content are counted as a shift.
    const control = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let sum = 0;
          new PerformanceObserver((list) => {
            for (const e of list.getEntries() as unknown as { value: number }[]) sum += e.value;
          }).observe({ type: 'layout-shift' });
          const main = document.querySelector('main')!;
          requestAnimationFrame(() => {
            for (let i = 0; i < 8; i++) {
              const block = document.createElement('div');
              block.className = 'panel';
              block.textContent = 'pushed in';
              main.prepend(block);
            }
            requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(sum), 100)));
          });
        }),
    );
    expect(control).toBeGreaterThan(0);
  });

  it('is keyboard operable: a policy is moved and a dialog opened and closed without the mouse', async () => {
    await openPage('Policies');
    const id = await page
      .locator('[data-testid=rules] > li', { hasText: /routes api/ })
      .first()
      .getAttribute('data-rule-id');
    const want = `Move rule #${id} down`;
    await page.locator('body').focus();
    let label = '';
    for (let i = 0; i < 80 && label !== want; i++) {
      await page.keyboard.press('Tab');
      label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    }
    expect(label).toBe(want);
    await page.keyboard.press('Enter');
    await page.getByText(new RegExp(`^Moved rule #${id} down`)).waitFor();
    await page.getByRole('button', { name: 'New policy' }).focus();
    await page.keyboard.press('Enter');
    await dialog().waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('p-targets'); // focus moved into the dialog
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
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
