// The verdict property: the scaffolder refuses exactly the values a field's downstream rule (the oracle)
// refuses, one field at a time in an otherwise valid value set, and the form's schema checked locally agrees.
// The scaffolder is asked through its dry-run API with the template in the request, so a changed template
// (a rule moved by one) is checked the same way as this repository's.
import assert from 'node:assert/strict';
import type { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import fc from 'fast-check';
import type { BackstageApi } from '../../../packages/tooling/src/backstage/api';
import { dryRun } from '../../../packages/tooling/src/backstage/dry-run';
import { FIELDS, ORACLE, schemaAccepts, VALID, type FormValues } from './form-values';

export type FieldValue = readonly [field: string, value: string | undefined];

/** Requests in flight at once: the backend runs in this process, so more only queue. */
const IN_FLIGHT = 8;

/** The values given, without the fields left undefined, as the form submits them. */
export const defined = (values: FormValues) =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));

/** The scaffolder's verdicts on a template's values, each asked once: a verdict depends on nothing else. */
export class Verdicts {
  private readonly asked = new Map<string, Promise<boolean>>();

  constructor(
    private readonly api: BackstageApi,
    readonly template: TemplateEntityV1beta3,
  ) {}

  accepts([field, value]: FieldValue): Promise<boolean> {
    const key = JSON.stringify([field, value ?? null]);
    let verdict = this.asked.get(key);
    if (!verdict) {
      // The scaffolder decides on the values before it runs any step: for the verdict alone, the template is
      // sent without its steps (and the dry-run's one-file skeleton), which nothing then renders.
      const source = { template: { ...this.template, spec: { ...this.template.spec, steps: [] } }, skeleton: [] };
      verdict = dryRun(this.api, source, defined({ ...VALID, [field]: value }), { render: false }).then(
        result => result.verdict === 'accepted',
      );
      this.asked.set(key, verdict);
    }
    return verdict;
  }

  /** Asks about many values ahead of a property that goes through them one by one. */
  async prefetch(cases: FieldValue[]): Promise<void> {
    const queue = [...cases];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await this.accepts(next);
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  }
}

/** A field, and a value for it. */
export const oneField: fc.Arbitrary<FieldValue> = fc
  .constantFrom(...Object.keys(FIELDS))
  .chain(field => FIELDS[field].map(value => [field, value] as const));

/** The property, for values drawn from `values`. */
export function verdictProperty(verdicts: Verdicts, values: fc.Arbitrary<FieldValue>) {
  return fc.asyncProperty(values, async ([field, value]) => {
    const expected = ORACLE[field](value);
    const label = `${field} = ${JSON.stringify(value)}`;
    assert.equal(await verdicts.accepts([field, value]), expected, `the scaffolder's verdict on ${label}`);
    assert.equal(
      schemaAccepts({ ...VALID, [field]: value }, verdicts.template),
      expected,
      `the local schema check disagrees with the oracle on ${label}`,
    );
  });
}
