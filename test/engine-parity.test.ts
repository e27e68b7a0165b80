// The skeleton must render byte for byte the same with the current engine (nunjitsu, scaffolder >= 4.0.3),
// which rendered the matrix, and with classic nunjucks (older Backstage installations); and the values the
// fetch step receives must be the same, types included (the environments are a list).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { renderClassic, renderClassicStepInput } from './support/backstage/classic-nunjucks';
import { listFiles, useRenderedVariants, VARIANT_IDS } from './support/backstage/rendered';
import { fetchTemplateInput } from './support/backstage/template';

const fetchInput = fetchTemplateInput();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koa-template-classic-'));
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

const variant = useRenderedVariants();

describe('engine parity: classic nunjucks renders what nunjitsu rendered', () => {
  for (const id of VARIANT_IDS) {
    test(id, async () => {
      const { dir, values } = variant(id);
      const classicDir = path.join(work, id);
      await renderClassic(path.join(repoRoot, fetchInput.url), classicDir, { ...fetchInput, values });

      assert.deepEqual(listFiles(classicDir), listFiles(dir));
      for (const file of listFiles(dir)) {
        const current = fs.readFileSync(path.join(dir, file), 'utf8');
        const classic = fs.readFileSync(path.join(classicDir, file), 'utf8');
        assert.equal(classic, current, `${file} renders differently with classic nunjucks`);
      }
    });
  }
});

describe("engine parity: the fetch step's values, rendered by the classic workflow runner", () => {
  for (const id of VARIANT_IDS) {
    test(id, () => {
      const { values } = variant(id);
      const parameters = values.form_answers as Record<string, unknown>;
      assert.deepEqual(renderClassicStepInput(fetchInput.values, { parameters }), values);
      assert.ok(Array.isArray(values.environments), 'environments is a list');
    });
  }
});
