/**
 * The headless Chromium the console tests drive (Debian's `chromium` through playwright-core). Without
 * the browser the tests FAIL, they do not skip: `.ci/run` installs it (scripts/ci-chromium.sh).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OAUTH2_TEST_CHROMIUM || '/usr/bin/chromium';
/** Where to write a PNG of each main page (docs/console/ holds the committed ones). */
export const SHOTS = process.env.OAUTH2_CONSOLE_SCREENSHOTS;
// Playwright adds --headless (headless: true) and the fresh --user-data-dir (the persistent context's dir).
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ConsoleBrowser {
  ctx: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh profile, 1280 x 800 (the screenshots' width). */
export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: the console tests need Debian's chromium package (apt-get install -y chromium; .ci/run installs it), or OAUTH2_TEST_CHROMIUM=/path/to/chromium`);
  }
  if (!fs.existsSync(path.resolve(__dirname, '..', 'dist', 'console', 'index.html'))) throw new Error('dist/console is not built: run `npm run build`');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-console-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 } });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(15000);
  return {
    ctx,
    page,
    close: async () => {
      await ctx.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Polls `read` until `want` holds (no fixed sleep: each round re-reads); fails with the last value seen. */
export async function until<T>(read: () => Promise<T>, want: (v: T) => boolean, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (want(v)) return v;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/**
 * Waits until the element's text contains `want` (a string) or matches it (a RegExp): the page
 * re-renders after a save, so one read can still see the text from before. Fails with the last text.
 */
export const expectText = (loc: Locator, want: string | RegExp) =>
  until(
    async () => (await loc.textContent()) ?? '',
    (t) => (typeof want === 'string' ? t.includes(want) : want.test(t)),
  ).catch((e: Error) => {
    throw new Error(`waiting for ${String(want)}: ${e.message}`);
  });
