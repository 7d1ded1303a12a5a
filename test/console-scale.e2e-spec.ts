/**
 * The consumers page at 100,000 consumers (SPEC §12: "pagination that stays fast at 100,000"), in
 * Debian's headless Chromium against the built admin API. The consumers are seeded with one
 * POST /v1/apply of a generated document (the fast bulk path, SPEC §11). No timed assertion: the
 * test proves the pages work at that size (first, next, last page, a substring search hit, a
 * group filter), each page one API request of 50 rows.
 */
import { spawnAdmin, type AdminProcess } from '@oauth2/testing';
import type { Page } from 'playwright-core';
import { launchConsoleBrowser, SHOTS, type ConsoleBrowser } from './console-browser';
import * as path from 'node:path';

jest.setTimeout(180_000);

const N = 100_000;
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
  const doc = { apiVersion: 'extensions.higress.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'scale' }, spec: { defaultConfig: { consumers }, matchRules: [] } };
  const r = await admin.api('POST', '/v1/apply', JSON.stringify(doc));
  if (r.status !== 200) throw new Error(`apply -> ${r.status} ${r.text.slice(0, 500)}`);
  expect(r.json.applied.consumers).toBe(N);
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
