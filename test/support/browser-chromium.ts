/**
 * Debian's Chromium driven by playwright-core. Where no Chromium is installed the browser tests
 * skip with a message saying so (`t.skip`), rather than passing silently.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './browser-dashboard.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-output');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The Speak toggle is clicked, which is a gesture; this keeps audio independent of focus quirks.
  '--autoplay-policy=no-user-gesture-required',
];

export const chromiumMissing = (): string | null =>
  existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM} (install Debian's chromium package): browser tests skipped`;

let shared: Promise<Browser> | null = null;

/** One browser per test file; each test gets its own context (cookies, storage). */
export function browser(): Promise<Browser> {
  shared ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return shared;
}

export async function closeBrowser(): Promise<void> {
  if (shared) await (await shared).close();
  shared = null;
}

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
}

/** A fresh page; page errors and console errors are collected so a test can assert there were none. */
export async function openPage(t: TestContext, options: PageOptions = {}): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await (await browser()).newContext({
    viewport: { width: options.width ?? 1100, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? 'light',
    deviceScaleFactor: 1,
  });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Failed requests are reported below with their URL.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`http ${res.status()}: ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  return { page, context, problems };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // Animations off: the streaming caret blinks, and a screenshot should not depend on its phase.
  await page.screenshot({ path, fullPage, animations: 'disabled' });
  return path;
}
