// The local portal end to end, as a template user meets it: Debian's Chromium signs in as guest, fills the
// create form (its help texts, its own errors for bad values, the pickers), creates a service, follows the
// task's output links, opens the new component and its TechDocs (their diagrams drawn), and the template's own
// TechDocs, and finds the new component through search. The portal runs as `npm start` runs it, and its log must
// hold no 5xx response; every browser request must stay on this machine. Screenshots of each page are kept in
// .cache/screenshots/portal.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, TEMPLATE_REF } from '../packages/tooling/src/template-repository';
import { freeLoopbackPort } from '../packages/tooling/src/free-port';
import { outputLinks as templateOutputLinks, type FormPage } from './support/backstage/template';
import { launchBrowser, standIn, type RecordingBrowser } from './support/portal/browser';
import { startPortalProcess, type PortalProcess } from './support/portal/process';

const NAME = 'orders';
const DESCRIPTION = 'Takes orders from the shop';
/** A word of the description, and one that only the new component's TechDocs (its runbook) hold. */
const DESCRIPTION_WORD = 'shop';
const TECHDOCS_WORD = 'cAdvisor';
const ARGOCD = 'https://argocd.localhost';
const DOMAIN = 'apps.localhost';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-portal-'));
let portal: PortalProcess;
/** When the task ended: search must find the component within seconds of it. */
let createdAt = 0;
let b: RecordingBrowser;
/** What after() undoes of what before() got to start, last started first. */
const started: (() => Promise<void> | void)[] = [];
const outputLinks: { title: string; href: string }[] = [];
const OUTPUT_LINKS = templateOutputLinks().map(link => link.title);

const visible = (text: string | RegExp, timeout = 30_000) => b.page.getByText(text).first().waitFor({ timeout });

before(async () => {
  portal = await startPortalProcess({ port: await freeLoopbackPort(), outDir: path.join(work, 'out') });
  started.push(() => portal.stop());
  b = await launchBrowser('portal');
  started.push(
    () => b.close(),
    () => {
      console.log(`portal screenshots: ${b.screenshotDir}`);
    },
  );
  // The sites the task's output links name, stood in for inside the browser: the test reaches no network.
  await standIn(b.context, ARGOCD, 'Argo CD (stand-in)');
  await standIn(b.context, `https://${NAME}-dev.${DOMAIN}`, `${NAME}-dev ingress (stand-in)`);
});

after(async () => {
  for (const stop of started.reverse()) await stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the local portal in Chromium', { timeout: 300_000 }, () => {
  test('signs in as guest', async () => {
    await b.page.goto(portal.baseUrl);
    await visible('koa-service template: local portal');
    await b.screenshot('sign-in');
    await b.page.getByRole('button', { name: 'Enter' }).click();
    await b.page.getByRole('button', { name: 'Enter' }).waitFor({ state: 'detached' });
  });

  test('lists the template under Create and opens its form with every help text of its first page', async () => {
    await b.page.getByRole('link', { name: 'Create' }).first().click();
    await visible('Koa TypeScript service');
    await b.screenshot('create');
    await b.page.getByRole('button', { name: 'Choose' }).first().click();
    const { steps } = await portal.api.parameterSchema(TEMPLATE_REF);
    await helpTextsShown(steps[0]);
    await b.screenshot('form-service');
  });

  test("shows the form's own errors for a bad name, a missing owner and a description it must refuse", async () => {
    const { page } = b;
    await page.getByRole('textbox', { name: 'Name' }).fill('Orders_API');
    await page.getByRole('textbox', { name: 'Description' }).fill('Takes orders \u202e from the shop');
    await page.getByRole('button', { name: 'Next' }).click();
    // A required picker left empty is stopped by the browser's own constraint validation.
    const owner = page.getByLabel('Owner');
    assert.notEqual(await owner.evaluate(el => (el as HTMLInputElement).validationMessage), '');
    await chooseFromPicker('Owner', 'platform-team');
    await page.getByRole('button', { name: 'Next' }).click();
    await visible(/'Name' must match pattern/);
    await visible(/'Description' must match pattern/);
    await b.screenshot('form-errors');
  });

  test('takes valid values through the pickers, page by page, and reviews them', async () => {
    const { page } = b;
    const { steps } = await portal.api.parameterSchema(TEMPLATE_REF);
    await page.getByRole('textbox', { name: 'Name' }).fill(NAME);
    await page.getByRole('textbox', { name: 'Description' }).fill(DESCRIPTION);
    await chooseFromPicker('System', 'payments');
    await page.getByRole('button', { name: 'Next' }).click();
    await helpTextsShown(steps[1]);
    await page.getByLabel('Ingress base domain').fill(DOMAIN);
    await page.getByLabel('Argo CD URL').fill(ARGOCD);
    await b.screenshot('form-environment');
    await page.getByRole('button', { name: 'Next' }).click();
    await helpTextsShown(steps[2]);
    await page.getByRole('textbox', { name: 'Owner' }).fill('acme');
    await page.getByRole('textbox', { name: 'Repository' }).fill(NAME);
    await page.keyboard.press('Tab'); // leaves the picker's autocomplete, as a user clicking on does
    await b.screenshot('form-repository');
    await page.getByRole('button', { name: 'Review' }).click();
    const review = [
      'group:default/platform-team',
      'system:default/payments',
      DOMAIN,
      ARGOCD,
      `github.com?owner=acme&repo=${NAME}`,
    ];
    for (const value of review) await visible(value);
    await b.screenshot('review');
  });

  test('creates the service: every step succeeds and the output links appear', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/create\/tasks\//);
    const taskId = new URL(page.url()).pathname.split('/').at(-1);
    assert.ok(taskId, page.url());
    const task = await portal.api.followTask(taskId);
    assert.equal(task.status, 'completed');
    createdAt = Date.now();
    const succeeded = new Set(task.events.filter(e => e.body.status === 'completed').map(e => e.body.stepId));
    assert.deepEqual([...succeeded].sort(), ['fetch', 'publish', 'register']);
    // The task page shows the template's output links once the task has ended.
    await visible('Open in catalog');
    const anchors = await page.locator('a').evaluateAll(as =>
      as.map(a => ({
        // External links carry a hint for screen readers after their title.
        title: a.textContent.trim().replace(/, Opens in a new window$/, ''),
        href: (a as HTMLAnchorElement).href,
      })),
    );
    outputLinks.push(...anchors.filter(a => OUTPUT_LINKS.includes(a.title)));
    assert.deepEqual(
      outputLinks.map(l => l.title).sort(),
      [...OUTPUT_LINKS].sort(),
      JSON.stringify(anchors.slice(-30)),
    );
    await visible('LOCAL STAND-IN: publish:github committed the repository');
    await b.screenshot('task');
  });

  test('finds the new component by a word of its description and one of its TechDocs, within seconds', async () => {
    const docs = fs.readFileSync(path.join(work, 'out', NAME, 'docs', 'runbook.md'), 'utf8');
    assert.ok(docs.includes(TECHDOCS_WORD), `the runbook holds "${TECHDOCS_WORD}"`);
    const byDescription = await followSearchResult(DESCRIPTION_WORD, `/catalog/default/component/${NAME}`);
    await visible(DESCRIPTION);
    const byDocs = await followSearchResult(TECHDOCS_WORD, `/docs/default/component/${NAME}/runbook`);
    await b.page.getByRole('heading', { name: 'Runbook' }).first().waitFor({ timeout: 30_000 });
    await b.screenshot('search-techdocs');
    console.log(`search found the new component ${byDescription} s (description), ${byDocs} s (TechDocs) after it`);
    assert.ok(byDescription < 30 && byDocs < 60, `${byDescription} s, ${byDocs} s after the task ended`);
  });

  test('follows each output link', async () => {
    const { page } = b;
    const expected: Record<string, string> = {
      Repository: 'LOCAL STAND-IN',
      'Open in catalog': DESCRIPTION,
      'Argo CD application': 'Argo CD (stand-in)',
      Service: `${NAME}-dev ingress (stand-in)`,
    };
    assert.deepEqual(Object.keys(expected).sort(), [...OUTPUT_LINKS].sort(), 'a page to expect for every output link');
    for (const link of outputLinks) {
      await page.goto(link.href);
      await visible(expected[link.title]);
      await b.screenshot(`link-${link.title.toLowerCase().replace(/\W+/g, '-')}`);
    }
    assert.equal(
      outputLinks.find(l => l.title === 'Argo CD application')?.href,
      `${ARGOCD}/applications/argocd/${NAME}-dev`,
    );
  });

  test('shows the new component with its owner, system, API and links', async () => {
    const { page } = b;
    await page.goto(`${portal.baseUrl}/catalog/default/component/${NAME}`);
    await visible(DESCRIPTION);
    for (const text of ['platform-team', 'payments']) await visible(text);
    await visible('Links');
    const hrefs = await page.locator('a').evaluateAll(as => as.map(a => (a as HTMLAnchorElement).href));
    // View Source from the source-location annotation; the Links card from the entity's links.
    assert.ok(
      hrefs.some(h => h.startsWith(`https://github.com/acme/${NAME}`)),
      hrefs.join('\n'),
    );
    assert.ok(hrefs.includes(`${ARGOCD}/applications/argocd/${NAME}-dev`), hrefs.join('\n'));
    await b.screenshot('component');
    await page.locator(`a[href$="/component/${NAME}/apis"]`).click();
    await page
      .getByRole('link', { name: `${NAME}-api` })
      .first()
      .waitFor({ timeout: 30_000 });
    await b.screenshot('component-apis');
  });

  test("renders the component's TechDocs with its architecture page", async () => {
    const { page } = b;
    await page.goto(`${portal.baseUrl}/docs/default/component/${NAME}`);
    await visible(/Overview|orders/, 120_000);
    await page.getByRole('link', { name: 'Architecture' }).first().click({ timeout: 120_000 });
    await diagramsDrawn();
    await b.screenshot('component-docs-architecture');
  });

  test('finds the template by a word of its description', async () => {
    await followSearchResult('Koa', '/catalog/default/template/koa-service');
  });

  test("renders the template's own TechDocs, building them from a copy of the working tree", async () => {
    const mkdocsYml = path.join(repoRoot, 'mkdocs.yml');
    const before = fs.readFileSync(mkdocsYml, 'utf8');
    await b.page.goto(`${portal.baseUrl}/docs/default/template/koa-service`);
    await visible('What a developer gets', 120_000);
    await b.screenshot('template-docs');
    await b.page.goto(`${portal.baseUrl}/docs/default/template/koa-service/architecture/`);
    await diagramsDrawn();
    await b.screenshot('template-docs-architecture');
    assert.equal(fs.readFileSync(mkdocsYml, 'utf8'), before);
  });

  test('made no request that left this machine', () => {
    assert.deepEqual(b.offHost, []);
  });

  test('answered no request with a 5xx, from its start on', () => {
    const log = portal.log();
    // Backstage's request log (level info, --verbose): "GET /api/... HTTP/1.1" 200 ...
    assert.match(log, /"GET \/api\/search\/query[^"]*" 200 /, 'the log holds the search requests');
    const failed = log.split('\n').filter(line => /" 5\d\d \d|Request failed with status 5/.test(line));
    assert.deepEqual(failed, []);
  });
});

/**
 * Searches on the search page, again until the result that links to PATH shows, and follows it; returns the
 * seconds from the task's end to the search that showed it.
 */
async function followSearchResult(term: string, pathname: string): Promise<number> {
  const { page } = b;
  const deadline = Date.now() + 90_000;
  const result = page.locator(`a[href^="${pathname}"]`).first();
  for (;;) {
    const searched = Date.now();
    await page.goto(`${portal.baseUrl}/search?query=${encodeURIComponent(term)}`);
    try {
      await result.waitFor({ timeout: 3000 });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      continue;
    }
    await b.screenshot(`search-${term.toLowerCase()}`);
    await result.click();
    await page.waitForURL(url => url.pathname.startsWith(pathname));
    return Math.round((searched - createdAt) / 100) / 10;
  }
}

/** The page's PlantUML diagrams, drawn as images as techdocs-core draws them: none shows its source. */
async function diagramsDrawn() {
  const { page } = b;
  // TechDocs renders a site's page inside a shadow root, which Playwright's CSS locators pierce.
  const image = page.locator('img.uml').first();
  await image.waitFor({ timeout: 60_000 });
  const size = await image.evaluate(img => {
    const i = img as HTMLImageElement;
    return { width: i.naturalWidth, height: i.naturalHeight, src: i.src.slice(0, 22) };
  });
  assert.equal(size.src, 'data:image/png;base64,');
  assert.ok(size.width > 300 && size.height > 200, JSON.stringify(size));
  await image.scrollIntoViewIfNeeded();
  assert.equal(await page.getByText('@startuml').count(), 0, 'a diagram shows as its source');
}

async function chooseFromPicker(label: string, option: string) {
  await b.page.getByLabel(label).click();
  await b.page.getByRole('option', { name: option }).click();
}

/** Every field's help text (ui:help) of a form page, as the frontend shows it. */
async function helpTextsShown(step: { title: string; schema: Partial<FormPage> }) {
  await visible(step.title);
  const helps = Object.values(step.schema.properties ?? {})
    .map(field => field['ui:help'])
    .filter(help => help !== undefined);
  assert.ok(helps.length > 0, `page "${step.title}" has help texts`);
  for (const help of helps) await visible(help.slice(0, 60));
}

// A quick start, not a gallery: two or three pages of the portal.
test('the README shows two or three screenshots of the portal, committed and small', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\((portal\/screenshots\/[^)]+)\)/g)].map(m => m[1]);
  assert.ok(images.length >= 2 && images.length <= 3, `${images.length} screenshots`);
  for (const image of images) assert.ok(fs.statSync(path.join(repoRoot, image)).size < 100_000, image);
});
