// This repository's template through the scaffolder's dry-run API (packages/tooling/src/backstage/dry-run.ts).
import type { BackstageApi } from '../../../packages/tooling/src/backstage/api';
import { dryRun as dryRunTemplate, templateSource, type DryRun } from '../../../packages/tooling/src/backstage/dry-run';
import { repoRoot } from '../../../packages/tooling/src/template-repository';

export type { DryRun };

const source = templateSource(repoRoot);

/** The scaffolder's verdict on the values and, if it accepts them, the repository this template renders. */
export function dryRun(
  api: BackstageApi,
  values: Record<string, unknown>,
  options?: { render?: boolean },
): Promise<DryRun> {
  return dryRunTemplate(api, source, values, options);
}
