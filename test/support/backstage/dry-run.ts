// This repository's template through the scaffolder's dry-run API (packages/tooling/src/backstage/dry-run.ts).
import type { BackstageApi } from '../../../packages/tooling/src/backstage/api';
import {
  dryRun as dryRunTemplate,
  templateSource,
  type DryRun,
  type RenderedFile,
} from '../../../packages/tooling/src/backstage/dry-run';
import { repoRoot } from '../../../packages/tooling/src/template-repository';
import { isTemplated } from '../skeleton/expressions';

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

const SKELETON = 'skeleton/';
const textOf = (file: { base64Content: string }) => Buffer.from(file.base64Content, 'base64').toString('utf8');

/** The skeleton's files whose path and text hold no template syntax, by the path they render to. */
const verbatim = new Map<string, RenderedFile>(
  source.skeleton
    .filter(file => !isTemplated(file.path) && !isTemplated(textOf(file)))
    .map(file => [
      file.path.slice(SKELETON.length),
      { content: Buffer.from(file.base64Content, 'base64'), executable: file.executable === true },
    ]),
);
const templatedSource = {
  ...source,
  skeleton: source.skeleton.filter(file => !verbatim.has(file.path.slice(SKELETON.length))),
};

/**
 * As dryRun, with only the files fetch:template changes sent to the scaffolder: a file with no template syntax in its
 * path or text renders to itself, and is added as it is. The repository is the one a full dry-run gives (check it
 * against one with verbatimProblems) at half the scaffolder's work.
 */
export async function dryRunTemplated(api: BackstageApi, values: Record<string, unknown>): Promise<DryRun> {
  const result = await dryRunTemplate(api, templatedSource, values);
  if (result.verdict === 'rejected') return result;
  const files = new Map(result.files);
  const rendered = new Map(result.rendered);
  for (const [file, { content, executable }] of verbatim) {
    files.set(file, content.toString('utf8'));
    rendered.set(file, { content, executable });
  }
  return { ...result, files, rendered };
}

/** Where a full render does not hold a file dryRunTemplated adds as it is, exactly as it is. */
export function verbatimProblems(full: Map<string, string>): string[] {
  return [...verbatim].flatMap(([file, { content }]) =>
    full.get(file) === content.toString('utf8')
      ? []
      : [`${file}: the scaffolder renders it differently from its skeleton file, though it holds no template syntax`],
  );
}
