// A real browser for the portal's end-to-end test: Debian's Chromium driven by playwright-core (never a
// browser Playwright downloads). Every request the browser makes is recorded; the test fails on any host
// that is not this machine. Chromium's own background services (sign-in, updater, autofill) are given a
// resolver that finds nothing, so not even a DNS query leaves; sites the test stands in for are answered
// by `standIn` routes inside the browser.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

const CHROMIUM = '/usr/bin/chromium';

export interface RecordingBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every URL the browser requested that is not on this machine. */
  offHost: string[];
  screenshotDir: string;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** localhost, its subdomains (RFC 6761: always loopback) and loopback addresses; data: and blob: URLs. */
function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return (
    hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '127.0.0.1' || hostname === '[::1]'
  );
}

export async function launchBrowser(name: string): Promise<RecordingBrowser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const offHost: string[] = [];
  context.on('request', request => {
    if (!isLocal(request.url())) offHost.push(request.url());
  });
  const page = await context.newPage();
  const screenshotDir = path.join(repoRoot, '.cache', 'screenshots', name);
  fs.rmSync(screenshotDir, { recursive: true, force: true });
  fs.mkdirSync(screenshotDir, { recursive: true });
  let count = 0;
  return {
    browser,
    context,
    page,
    offHost,
    screenshotDir,
    async screenshot(shot) {
      const file = path.join(screenshotDir, `${String(++count).padStart(2, '0')}-${shot}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    close: () => browser.close(),
  };
}

/** Answers a site the test stands in for (an Argo CD, an ingress) inside the browser, with a page naming it. */
export async function standIn(context: BrowserContext, origin: string, title: string) {
  await context.route(`${origin}/**`, route =>
    route.fulfill({
      contentType: 'text/html',
      body:
        `<!doctype html><title>${title}</title><h1>${title}</h1>` +
        `<p>STAND-IN answered by the test for ${route.request().url()}</p>`,
    }),
  );
}
