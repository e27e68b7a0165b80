// The skeleton must render byte for byte the same with the current engine (nunjitsu, scaffolder >= 4.0.3),
// which rendered the matrix, and with classic nunjucks (older Backstage installations).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { renderClassic, type FetchTemplateInput } from './support/backstage/classic-nunjucks';
import { listFiles, renderedVariants, type Variant } from './support/backstage/rendered';

const template = parseYaml(fs.readFileSync(path.join(repoRoot, 'template.yaml'), 'utf8'));
const fetchInput = template.spec.steps.find((s: any) => s.action === 'fetch:template').input;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-classic-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

let variants: Variant[];
before(async () => {
  variants = await renderedVariants();
});

describe('engine parity: classic nunjucks renders what nunjitsu rendered', () => {
  for (const id of ['short-dev', 'short-prod', 'long-dev', 'long-prod']) {
    test(id, async () => {
      const variant = variants.find(v => v.id === id)!;
      const input: FetchTemplateInput = { ...fetchInput, values: variant.values };
      const classicDir = path.join(work, id);
      await renderClassic(path.join(repoRoot, fetchInput.url), classicDir, input);

      assert.deepEqual(listFiles(classicDir), listFiles(variant.dir));
      for (const file of listFiles(variant.dir)) {
        const current = fs.readFileSync(path.join(variant.dir, file), 'utf8');
        const classic = fs.readFileSync(path.join(classicDir, file), 'utf8');
        assert.equal(classic, current, `${file} renders differently with classic nunjucks`);
      }
    });
  }
});
