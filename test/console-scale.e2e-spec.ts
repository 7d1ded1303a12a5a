/**
 * The consumers page at 100,000 consumers (SPEC §12: "pagination that stays fast at 100,000"), in
 * Debian's headless Chromium against the built admin API. The consumers are seeded with one
 * POST /v1/apply of a generated document (the fast bulk path, SPEC §11). No timed assertion: the
 * test proves the pages work at that size (first, next, last page, a substring search hit, a
 * group filter), each page one API request of 50 rows; and 10,050 policies, more than one page of
 * the list API, all on the Policies page and in a delete's list of the policies it changes; and a
 * 2 MB document through the Import page's dry run.
 */
import { spawnAdmin, type AdminProcess } from '@oauth2/testing';
import type { Page } from 'playwright-core';
import { expectText, launchConsoleBrowser, SHOTS, type ConsoleBrowser } from './console-browser';
import * as path from 'node:path';

jest.setTimeout(180_000);

const N = 100_000;
/** Rules past the list API's largest page (10,000): the console must read them all. */
const RULES = 10_050;
const pad = (i: number) => String(i).padStart(6, '0');

let admin: AdminProcess;
let browser: ConsoleBrowser;
let page: Page;
const listCalls: string[] = [];

beforeAll(async () => {
  admin = await spawnAdmin();
  const consumers = Array.from({ length: N }, (_, i) => ({
    name: `c-${pad(i)}`,
    client_id: `cid-${pad(i)}`,
    // Deterministic 43-character secrets: 100,000 random ones would only slow the seeding.
    client_secret: `s${pad(i)}-${'x'.repeat(36)}`,
    ...(i % 10 === 0 ? { groups: ['tenth'] } : {}),
  }));
  const doc = {
    apiVersion: 'extensions.higress.io/v1alpha1',
    kind: 'WasmPlugin',
    metadata: { name: 'scale' },
    spec: { defaultConfig: { consumers }, matchRules: Array.from({ length: RULES }, (_, i) => ({ domain: [`h-${pad(i)}.example`], config: { allow: [`c-${pad(i)}`] } })) },
  };
  const r = await admin.api('POST', '/v1/apply', JSON.stringify(doc));
  if (r.status !== 200) throw new Error(`apply -> ${r.status} ${r.text.slice(0, 500)}`);
  expect(r.json.applied.consumers).toBe(N);
  expect(r.json.applied.rules).toBe(RULES);
  browser = await launchConsoleBrowser();
  page = browser.page;
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/v1/consumers') listCalls.push(req.url());
  });
}, 170_000);

afterAll(async () => {
  await browser?.close();
  if (admin) expect(await admin.stop()).toBe(0);
});

const range = () => page.getByTestId('pager-range').textContent();
const names = () => page.getByTestId('consumers').locator('tbody tr td:first-child').allTextContents();

it('pages through 100,000 consumers: first page, next, last; each page asks the API for 50 rows', async () => {
  await page.goto(`${admin.url}/console/`);
  await page.locator('#token').fill(admin.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('consumers').waitFor();
  expect(await range()).toBe('1–50 of 100,000');
  expect(await names()).toEqual(Array.from({ length: 50 }, (_, i) => `c-${pad(i)}`));
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'consumers-100k.png'), fullPage: false });
  await page.getByRole('button', { name: 'Next →' }).click();
  await page.getByText('51–100 of 100,000').waitFor();
  expect((await names())[0]).toBe('c-000050');
  await page.getByRole('button', { name: 'Last page' }).click();
  await page.getByText('99,951–100,000 of 100,000').waitFor();
  expect((await names()).slice(-1)).toEqual(['c-099999']);
  for (const u of listCalls) expect(new URL(u).searchParams.get('limit')).toBe('50');
});

it('a substring search finds its consumers among 100,000; a group filter counts its members', async () => {
  await page.locator('#consumer-search').fill('-05432');
  await page.getByText('1–10 of 10').waitFor();
  expect(await names()).toEqual(Array.from({ length: 10 }, (_, i) => `c-05432${i}`));
  await page.locator('#consumer-search').fill('cid-077777');
  await page.getByText('1–1 of 1').waitFor();
  expect(await names()).toEqual(['c-077777']);
  await page.locator('#consumer-search').fill('');
  await page.locator('#consumer-group').fill('tenth');
  await page.getByText('1–50 of 10,000').waitFor();
  expect((await names()).slice(0, 2)).toEqual(['c-000000', 'c-000010']);
  await page.getByRole('button', { name: 'Next →' }).click();
  await page.getByText('51–100 of 10,000').waitFor();
  expect((await names())[0]).toBe('c-000500');
});

it('shows all 10,050 policies, 50 a page, and a delete finds the rule past the 10,000-row page of the list API', async () => {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Policies', exact: true }).click();
  await page.getByTestId('rules').waitFor();
  await page.getByText(`1–50 of ${RULES.toLocaleString('en-US')}`).waitFor();
  expect(await page.getByTestId('rules').locator('li').count()).toBe(50);
  await page.getByRole('button', { name: 'Last page' }).click();
  await page.getByText(`10,001–${RULES.toLocaleString('en-US')} of ${RULES.toLocaleString('en-US')}`).waitFor();
  const last = page.getByTestId('rules').locator('li').last();
  await expectText(last, `h-${pad(RULES - 1)}.example`);
  await expectText(last, `consumers c-${pad(RULES - 1)}`);
  // The first policy of the last page moved up lands on the page before, and the page follows it.
  await page.getByRole('button', { name: 'Move rule', exact: false }).first().waitFor();
  const first = page.getByTestId('rules').locator('li').first();
  await expectText(first, `h-${pad(10_000)}.example`);
  const id = await first.getAttribute('data-rule-id');
  await page.getByRole('button', { name: `Move rule #${id} up` }).click();
  await page.getByText(`9,951–10,000 of ${RULES.toLocaleString('en-US')}`).waitFor();
  await expectText(page.getByTestId('rules').locator('li').last(), `h-${pad(10_000)}.example`);
  // The one it passed, h-009999, now opens the last page.
  await page.getByRole('button', { name: 'Next →' }).click();
  await page.getByText(`10,001–${RULES.toLocaleString('en-US')} of ${RULES.toLocaleString('en-US')}`).waitFor();
  await expectText(page.getByTestId('rules').locator('li').first(), `h-${pad(9_999)}.example`);
  // The consumer of the last rule: its delete dialog names that rule (it is not on the first page of /v1/rules).
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Consumers', exact: true }).click();
  await page.locator('#consumer-search').fill(`c-${pad(RULES - 1)}`);
  await page.getByText('1–1 of 1').waitFor();
  await page.getByTestId('consumers').getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expectText(dialog, `h-${pad(RULES - 1)}.example`);
  await expectText(dialog, 'Delete and change 1 rule');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

it('imports a document over 1 MiB: the console leaves the size to /v1/apply (OAUTH2_APPLY_MAX_BYTES)', async () => {
  const consumers = Array.from({ length: 20_000 }, (_, i) => ({ name: `d-${pad(i)}`, client_id: `did-${pad(i)}`, client_secret: `t${pad(i)}-${'z'.repeat(36)}` }));
  const doc = JSON.stringify({ apiVersion: 'extensions.higress.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'big' }, spec: { defaultConfig: { consumers }, matchRules: [] } });
  expect(Buffer.byteLength(doc)).toBeGreaterThan(2 * 1024 * 1024);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Import', exact: true }).click();
  await page.locator('input[type=file]').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from(doc) });
  await page.getByRole('button', { name: 'Preview (dry run)' }).click();
  const counts = page.getByTestId('import-counts');
  await counts.waitFor();
  await expectText(counts, 'Consumers10000020000');
  await expectText(page.getByTestId('consumers-added'), 'Consumers added 20000');
  // A dry run: nothing written.
  expect((await admin.api('GET', '/v1/consumers?limit=1')).json.total).toBe(N);
});
