// npm run upgrade -- --repo PATH [--to REF] [--template DIR] [--branch NAME] [--answer NAME=VALUE ...]
//
// Brings a repository made from this template up to a later release: both releases rendered by an
// embedded Backstage's scaffolder with the answers the repository recorded, the difference three-way
// merged by git onto a new branch, one commit. Nothing is pushed.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { EmbeddedBackstage } from '../backstage/backend';
import { repoRoot } from '../template-repository';
import { UpgradeRefused, upgradeRepository } from '../upgrade/upgrade';

const USAGE =
  'usage: npm run upgrade -- --repo PATH [--to REF] [--template DIR] [--branch NAME] [--answer NAME=VALUE ...]';

export async function upgrade(argv: string[], cwd: string): Promise<number> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      to: { type: 'string' },
      template: { type: 'string' },
      branch: { type: 'string' },
      answer: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help || !args.repo) {
    (args.help ? console.log : console.error)(USAGE);
    return args.help ? 0 : 2;
  }
  const given: Record<string, unknown> = {};
  for (const answer of args.answer) {
    const at = answer.indexOf('=');
    if (at < 1) {
      console.error(`--answer ${answer}: write it as NAME=VALUE\n${USAGE}`);
      return 2;
    }
    given[answer.slice(0, at)] = parseYaml(answer.slice(at + 1));
  }
  const repoDir = path.resolve(cwd, args.repo);
  const templateDir = path.resolve(cwd, args.template ?? repoRoot);

  const started = Date.now();
  // Backstage starts only for an upgrade to render: a refusal, or a repository already current, answers at once.
  let backstage: EmbeddedBackstage | undefined;
  const api = async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- tsx runs the tooling as CommonJS
    const { startBackstage } = require('../backstage/backend') as typeof import('../backstage/backend');
    backstage = await startBackstage({
      repoRoot,
      logLevel: 'error',
      publishTarget: () => {
        throw new Error('an upgrade publishes nothing');
      },
    });
    return backstage.api;
  };
  try {
    const result = await upgradeRepository({
      api,
      templateDir,
      repoDir,
      to: args.to,
      branch: args.branch,
      given,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.outcome === 'current') {
      console.log(`${repoDir} is at release ${result.version} already: nothing to do.`);
      return 0;
    }
    for (const field of result.defaulted) {
      const value = JSON.stringify(field.value);
      console.log(`New form field ${field.name}: not in the recorded answers, so it takes its default ${value}.`);
    }
    console.log(`\n${result.message}`);
    const done = result.outcome === 'prepared' ? 'Committed' : 'Found it committed before';
    console.log(`${done} on branch ${result.branch} (${result.commit.slice(0, 12)}), now checked out; ${seconds} s.`);
    const { leftToDo } = result;
    for (const item of leftToDo) console.log(`Left to do: ${item}`);
    if (result.conflicts.length) {
      console.log(`${result.conflicts.length} conflicted: resolve the marked files, commit, then merge the branch.`);
    } else if (leftToDo.length) {
      console.log('No conflicts: do what is left (above), run the checks (npm ci && npm test), then merge the branch.');
    } else {
      console.log('No conflicts: run the checks (npm ci && npm test), then merge the branch.');
    }
    return 0;
  } catch (error) {
    if (error instanceof UpgradeRefused) {
      console.error(`Upgrade refused, nothing changed: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await backstage?.stop();
  }
}
