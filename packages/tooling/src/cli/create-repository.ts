// The create command once its arguments hold: an embedded Backstage runs the template with the values, and the
// repository takes the place of the output directory only once every step has succeeded.
import fs from 'node:fs';
import path from 'node:path';
import { ValidationFailed } from '../backstage/api';
import { startBackstage } from '../backstage/backend';
import { STAND_IN_NOTE } from '../backstage/stand-in';
import { formErrors } from '../backstage/form-errors';
import { taskPrinter } from '../backstage/task-log';
import { formValues, runTemplate, waitForTemplate } from '../backstage/run-template';
import { repoRoot, TEMPLATE_REF } from '../template-repository';

export interface CreateRequest {
  /** The form's values, app_name among them. */
  values: Record<string, unknown>;
  /** Where the repository goes: empty, missing, or to be replaced. */
  outDir: string;
  /** Where the command was typed: the next steps' paths are relative to it. */
  cwd: string;
  verbose: boolean;
}

export async function createRepository({ values, outDir, cwd, verbose }: CreateRequest): Promise<number> {
  console.log('Starting an embedded Backstage (catalog + scaffolder, SQLite in memory, loopback only)...');
  // The repository is published aside and takes the place of --out only once every step has succeeded.
  const staging = `${outDir}.creating-${process.pid}`;
  const backstage = await startBackstage({
    repoRoot,
    logLevel: verbose ? 'info' : 'warn',
    publishTarget: () => staging,
  });
  try {
    await waitForTemplate(backstage.api);
    const { steps } = await backstage.api.parameterSchema(TEMPLATE_REF);
    const refused = formErrors(steps, await formValues(backstage.api, values));
    if (refused.length) {
      const which = refused.length === 1 ? 'this value' : 'these values';
      console.error(`The create form refuses ${which}:\n${refused.map(e => `  - ${e}`).join('\n')}`);
      return 1;
    }
    console.log(`Running ${TEMPLATE_REF}${verbose ? '' : ' (the full step log with --verbose)'}:`);
    const print = taskPrinter({
      verbose,
      write: line => {
        console.log(line.replaceAll(staging, outDir));
      },
    });
    const result = await runTemplate(backstage.api, values, print);
    if (result.status !== 'completed') {
      console.error(`The template run ended ${result.status}; the step log above says why. ${outDir} is as it was.`);
      return 1;
    }
    replace(outDir, staging);
    const standIns = result.events.filter(e => e.body.message.includes(STAND_IN_NOTE)).length;
    console.log(`\nCreated ${outDir} from ${TEMPLATE_REF}.`);
    if (standIns) {
      console.log(
        `Stood in locally: publish:github committed to ${outDir} instead of GitHub, and the catalog read ` +
          'catalog-info.yaml from there. Everything else ran as in production.',
      );
    }
    for (const link of result.output.links ?? []) {
      console.log(`  ${link.title}: ${link.url ?? link.entityRef}`);
    }
    console.log(`\n${nextSteps(outDir, path.relative(cwd, outDir))}`);
    return 0;
  } catch (error) {
    if (error instanceof ValidationFailed) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await backstage.stop();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The next steps: into the repository, then its README's own "Run it" commands, after the Node its package.json
 * requires (npm ci refuses another, engine-strict).
 */
function nextSteps(repoDir: string, shown: string): string {
  const { engines } = JSON.parse(fs.readFileSync(path.join(repoDir, 'package.json'), 'utf8')) as {
    engines?: { node?: string };
  };
  const nvmrc = path.join(repoDir, '.nvmrc');
  const pinned = fs.existsSync(nvmrc) ? ` (.nvmrc: ${fs.readFileSync(nvmrc, 'utf8').trim()})` : '';
  const readme = fs.readFileSync(path.join(repoDir, 'README.md'), 'utf8');
  const runIt = /^## Run it\n+```sh\n([\s\S]*?)^```/m.exec(readme)?.[1] ?? '';
  const commands = runIt.split('\n').filter(Boolean);
  return [
    `Next steps (the repository needs Node ${engines?.node ?? 'as its package.json says'}${pinned}):`,
    `  cd ${shown.startsWith('..') ? repoDir : shown || '.'}`,
    ...commands.map(command => `  ${command}`),
    ...(commands.length ? [] : ['  (then as its README.md says)']),
  ].join('\n');
}

/** Moves the new repository into place; the old contents of the directory go only once it is there. */
function replace(outDir: string, staging: string) {
  const old = `${outDir}.replaced-${process.pid}`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
  fs.renameSync(staging, outDir);
  fs.rmSync(old, { recursive: true, force: true });
}
