// This repository's template through the scaffolder's dry-run API (tools/backstage/dry-run.ts).
import type { BackstageApi } from '../../tools/backstage/api';
import { dryRun as dryRunTemplate, templateSource, type DryRun } from '../../tools/backstage/dry-run';
import { repoRoot } from '../../tools/backstage/run-template';

export type { DryRun };

const source = templateSource(repoRoot);

/** The scaffolder's verdict on the values and, if it accepts them, the repository this template renders. */
export function dryRun(api: BackstageApi, values: Record<string, unknown>, options?: { render?: boolean }): Promise<DryRun> {
  return dryRunTemplate(api, source, values, options);
}
