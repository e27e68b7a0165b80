// TechDocs of the template repository and of every generated repository: strict builds, nav complete,
// diagrams drawn as images, only mkdocs.yml keys TechDocs keeps, and a form table that matches template.yaml.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { formPages } from './support/backstage/template';
import { catalogEntities } from './support/catalog/entities';
import { renderChart } from './support/chart/chart';
import { only } from './support/chart/kube';
import { headingIds } from './support/form/readers';
import { CORNER_VARIANT_IDS, useRenderedVariants } from './support/backstage/rendered';
import {
  buildTechDocs,
  plantumlDiagrams,
  plantumlProblems,
  readMkdocsConfig,
  TECHDOCS_KEYS,
} from './support/docs/techdocs';

// One strict build per site; the HTML of the runbook (for the alerts' links) and of each page with a diagram is kept.
const RUNBOOK_PAGE = 'runbook/index.html';
/** The built page of a Markdown file, with mkdocs' directory URLs: a.md is a/index.html, index.md index.html. */
const pageOf = (file: string) =>
  /(^|\/)index\.md$/.test(file) ? file.replace(/md$/, 'html') : file.replace(/\.md$/, '/index.html');
const builds = new Map<string, ReturnType<typeof buildTechDocs>>();
function built(root: string): ReturnType<typeof buildTechDocs> {
  const done = builds.get(root);
  if (done) return done;
  const build = buildTechDocs(root, [RUNBOOK_PAGE, ...plantumlDiagrams(root).map(d => pageOf(d.file))]);
  builds.set(root, build);
  return build;
}

function navPages(nav: unknown): string[] {
  if (typeof nav === 'string') return [nav];
  if (Array.isArray(nav)) return nav.flatMap(navPages);
  if (nav && typeof nav === 'object') return Object.values(nav).flatMap(navPages);
  return [];
}

function checkSite(name: string, root: () => string) {
  describe(`${name} TechDocs`, () => {
    test('mkdocs.yml keeps to the keys TechDocs honours and enables techdocs-core', () => {
      const config = readMkdocsConfig(root());
      assert.deepEqual(
        Object.keys(config).filter(key => !TECHDOCS_KEYS.includes(key)),
        [],
      );
      assert.ok((config.plugins ?? []).includes('techdocs-core'), 'plugins must list techdocs-core');
    });

    test('every Markdown page is in the nav', () => {
      const config = readMkdocsConfig(root());
      const docsDir = path.join(root(), config.docs_dir ?? 'docs');
      const pages = fs.readdirSync(docsDir, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.md'));
      assert.deepEqual(pages.filter(page => !navPages(config.nav).includes(page)).sort(), []);
    });

    test('builds with mkdocs --strict: no broken link, no missing page', () => {
      const { ok, output } = built(root());
      assert.ok(ok, output);
    });

    test('every PlantUML diagram parses offline, with no URL include', () => {
      const diagrams = plantumlDiagrams(root());
      for (const { file, source } of diagrams) {
        assert.doesNotMatch(source, /!include(url)?\s+https?:/, `${file} includes a URL`);
      }
      assert.deepEqual(plantumlProblems(diagrams), []);
    });

    test('draws every PlantUML diagram as a PNG image, as techdocs-core does, and shows no diagram source', () => {
      const { html } = built(root());
      const perPage = new Map<string, number>();
      for (const { file } of plantumlDiagrams(root())) {
        const page = pageOf(file);
        perPage.set(page, (perPage.get(page) ?? 0) + 1);
      }
      for (const [page, count] of perPage) {
        const built = html[page] as string | undefined;
        assert.ok(built, `${page} was not built`);
        const images = built.match(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]{1000,}" class="uml"/g) ?? [];
        assert.equal(images.length, count, `${page}: ${count} diagrams, ${images.length} images`);
        assert.doesNotMatch(built, /@startuml/, `${page} shows a diagram's source`);
      }
    });
  });
}

checkSite('the template repository', () => repoRoot);

const variantOf = useRenderedVariants();
for (const id of CORNER_VARIANT_IDS) {
  const variant = () => variantOf(id);
  checkSite(`the generated repository (${id})`, () => variant().dir);

  test(`${id}: each alert's runbook_url opens a section of the TechDocs runbook and names the owner`, async () => {
    const [component] = catalogEntities(variant().dir);
    const { namespace, kind, name } = getCompoundEntityRef(component);
    assert.ok(navPages(readMkdocsConfig(variant().dir).nav).includes('runbook.md'), 'the runbook is in the nav');
    // TechDocs serves an entity's site at /docs/<namespace>/<kind>/<name>/, a page at its directory URL.
    const site = String(variant().values.backstage_url);
    const page = `${site}/docs/${namespace}/${kind.toLowerCase()}/${name}/runbook/`;
    const html = built(variant().dir).html[RUNBOOK_PAGE] as string | undefined;
    assert.ok(html, `${RUNBOOK_PAGE} was not built`);
    const sections = new Set(await headingIds(html));
    const rules = only(renderChart(variant()).optional, 'PrometheusRule').spec.groups?.flatMap(g => g.rules ?? []);
    const alerts = (rules ?? []).filter(rule => rule.alert);
    assert.ok(alerts.length >= 8, `${alerts.length} alerts`);
    const broken = alerts
      .map(rule => ({ alert: String(rule.alert), url: rule.annotations?.runbook_url ?? '' }))
      .filter(({ url }) => !url.startsWith(`${page}#`) || !sections.has(url.slice(page.length + 1)))
      .map(({ alert, url }) => `${alert}: ${url}`);
    assert.deepEqual(broken, [], `sections of ${page}: ${[...sections].join(', ')}`);
    // Alertmanager routes on the owner the catalog shows.
    assert.deepEqual([...new Set(alerts.map(rule => rule.labels?.owner))], [component.spec?.owner]);
  });
}

describe("the template's docs", () => {
  test('list every form field on its page, in the order of template.yaml', () => {
    const expected = formPages().flatMap(page =>
      Object.values(page.properties).map(field => `${page.title} | ${String(field.title)}`),
    );
    const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'index.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## The form'));
    const rows = [...table.matchAll(/^\| (?!Page |---)([^|]+?) \| ([^|(]+?)(?: \(`[^`]+`\))? \|/gm)].map(
      m => `${m[1]} | ${m[2]}`,
    );
    assert.deepEqual(rows, expected);
  });
});
