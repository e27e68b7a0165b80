// TechDocs of the template repository and of every generated repository: strict builds, nav complete,
// diagrams that parse, only mkdocs.yml keys TechDocs keeps, and a form table that matches template.yaml.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../tools/backstage/run-template';
import { renderedVariants, type Variant } from './support/rendered';
import { buildTechDocs, plantumlDiagrams, plantumlErrors, readMkdocsConfig, TECHDOCS_KEYS } from './support/techdocs';

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
      assert.deepEqual(Object.keys(config).filter(key => !TECHDOCS_KEYS.includes(key)), []);
      assert.ok((config.plugins ?? []).includes('techdocs-core'), 'plugins must list techdocs-core');
    });

    test('every Markdown page is in the nav', () => {
      const config = readMkdocsConfig(root());
      const docsDir = path.join(root(), config.docs_dir ?? 'docs');
      const pages = fs.readdirSync(docsDir, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.md'));
      assert.deepEqual(pages.filter(page => !navPages(config.nav).includes(page)).sort(), []);
    });

    test('builds with mkdocs --strict: no broken link, no missing page', () => {
      const { ok, output } = buildTechDocs(root());
      assert.ok(ok, output);
    });

    test('every PlantUML diagram parses offline, with no URL include', () => {
      for (const { file, source } of plantumlDiagrams(root())) {
        assert.doesNotMatch(source, /!include(url)?\s+https?:/, `${file} includes a URL`);
        assert.equal(plantumlErrors(source), '', `${file} has a diagram PlantUML cannot parse`);
      }
    });
  });
}

checkSite('the template repository', () => repoRoot);

let variants: Variant[];
before(async () => {
  variants = await renderedVariants();
});
for (const id of ['short-dev', 'long-prod']) {
  checkSite(`the generated repository (${id})`, () => variants.find(v => v.id === id)!.dir);
}

describe("the template's docs", () => {
  test('list every form field on its page, in the order of template.yaml', () => {
    const template = parseYaml(fs.readFileSync(path.join(repoRoot, 'template.yaml'), 'utf8'));
    const expected = template.spec.parameters.flatMap((page: any) =>
      Object.values<any>(page.properties).map(field => `${page.title} | ${field.title}`),
    );
    const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'index.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## The form'));
    const rows = [...table.matchAll(/^\| (?!Page |---)([^|]+?) \| ([^|(]+?)(?: \(`[^`]+`\))? \|/gm)].map(m => `${m[1]} | ${m[2]}`);
    assert.deepEqual(rows, expected);
  });
});
