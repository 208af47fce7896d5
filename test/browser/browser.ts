import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOTS = '.test-data/screenshots';
const CHROMIUM = '/usr/bin/chromium';

/** Builds the UI when its sources changed since the last build (a no-op otherwise), as `npm start` does. */
export function ensureWebBuild(): void {
  const result = spawnSync(process.execPath, ['web/scripts/build.mjs'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the web UI does not build');
}

/** Debian's chromium, headless: one per test file. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newPage(browser: Browser, options: { width?: number; height?: number; dark?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // What went wrong in the page shows in the test output, beside the failing step.
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  page.on('response', async (response) => {
    if (response.url().includes('/api/v3/') && response.status() >= 400 && !process.env.QUIET_BROWSER_TESTS) {
      console.error(`API ${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}: ${(await response.text().catch(() => '')).slice(0, 300)}`);
    }
  });
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Whether the page scrolls sideways (it should not, down to 360 px). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}
