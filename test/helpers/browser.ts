/**
 * The real Chromium for browser tests: Debian's /usr/bin/chromium (never a downloaded browser), driven by
 * playwright-core. `offlinePage` opens a page on which every request that isn't file:// is aborted and every
 * console error or page error is collected, so a test can assert the page made no network request and logged nothing.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.TUNE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'], headless: true });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught page errors, in order. */
  readonly errors: string[];
  /** URLs of requests that were aborted (anything but file:// unless `allow` lets it through). */
  readonly blocked: string[];
}

/**
 * A new page in a fresh context. Requests are aborted unless their URL starts with one of `allow`
 * (default: only `file://`; the dashboard passes its own `http://127.0.0.1:<port>/`).
 */
export async function offlinePage(browser: Browser, options: { allow?: readonly string[]; viewport?: { width: number; height: number } } = {}): Promise<WatchedPage> {
  const allow = options.allow ?? ['file://'];
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**', async (route) => {
    const url = route.request().url();
    if (allow.some((a) => url.startsWith(a))) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return { page, errors, blocked };
}
