// How the tools downstream of the template read a rendered repository: helm and Argo CD read YAML with Go
// (sigs.k8s.io/yaml, YAML 1.1 rules), mkdocs with PyYAML (YAML 1.1), Backstage with the JS `yaml` package
// (YAML 1.2). Pages are read by GitHub (CommonMark + GFM, approximated by markdown-it) and by TechDocs
// (Python-Markdown with techdocs-core's extensions). Each reader returns data or an error, never throws.
// A reading depends on the text alone (a TechDocs page on the files it includes too): each text is read once
// per process, and the texts of a repository go to each reader in one call.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import MarkdownIt from 'markdown-it';
import { parseAllDocuments } from 'yaml';
import { helmRun } from './helm-runs';
import { TECHDOCS_CORE_EXTENSIONS } from '../../../portal/backend/techdocs-approximation';

export type Parsed = { data: unknown[] } | { error: string };

/** The JS reader, as Backstage's catalog reads catalog-info.yaml. */
export function readYamlJs(text: string): Parsed {
  const docs = parseAllDocuments(text);
  const errors = docs.flatMap(d => d.errors.map(e => e.message));
  return errors.length ? { error: errors.join('; ') } : { data: docs.map(d => d.toJS() as unknown) };
}

/** Documents of a YAML stream, split where a line is `---` (a template value cannot start a line). */
const documents = (text: string) => text.split(/^---[ \t]*$/m).filter(doc => doc.trim() !== '');

/** Readings by text, for each reader. */
class Readings<T> {
  private readonly read = new Map<string, Promise<T>>();

  /** The readings of the texts, asking `readAll` about those not read before, all in one call. */
  async of(texts: string[], readAll: (unread: string[]) => Promise<T[]>): Promise<T[]> {
    const unread = [...new Set(texts.filter(text => !this.read.has(text)))];
    if (unread.length) {
      const answers = readAll(unread);
      unread.forEach((text, i) =>
        this.read.set(
          text,
          answers.then(all => all[i]),
        ),
      );
    }
    return Promise.all(texts.map(text => this.read.get(text) ?? Promise.reject(new Error('not read'))));
  }
}

const goReadings = new Readings<Parsed>();

/** Go's reader, as helm reads Chart.yaml and values files: through helm's own `fromYaml`. */
export async function readYamlGo(files: Map<string, string>): Promise<Map<string, Parsed>> {
  const readings = await goReadings.of([...files.values()], readWithHelm);
  return new Map([...files.keys()].map((name, i) => [name, readings[i]]));
}

/** One `helm template` of a chart whose files are the texts' documents, each turned to JSON by `fromYaml`. */
async function readWithHelm(texts: string[]): Promise<Parsed[]> {
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'go-yaml-'));
  try {
    fs.mkdirSync(path.join(chart, 'files'));
    fs.mkdirSync(path.join(chart, 'templates'));
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: go-yaml-reader\nversion: 0.1.0\n');
    texts.forEach((text, i) => {
      documents(text).forEach((doc, j) => {
        fs.writeFileSync(path.join(chart, 'files', `${i}-${j}.yaml`), doc);
      });
    });
    fs.writeFileSync(
      path.join(chart, 'templates', 'parsed.yaml'),
      '{{- $out := dict }}{{- range $path, $_ := .Files.Glob "files/*.yaml" }}' +
        '{{- $_ := set $out (base $path) ($.Files.Get $path | fromYaml) }}{{- end }}' +
        '{{ dict "kind" "Parsed" "files" $out | toJson }}\n',
    );
    const run = await helmRun(['template', 'reader', chart], chart);
    if (run.status !== 0) throw new Error(`helm could not run the YAML reader chart: ${run.output}`);
    const { files } = JSON.parse(run.output.replace(/^---.*\n# Source: .*\n/, '')) as {
      files: Record<string, unknown>;
    };
    return texts.map((text, i): Parsed => {
      const docs = documents(text).map((_, j) => files[`${i}-${j}.yaml`]);
      const error = docs.find(isHelmError);
      return error ? { error: String(error.Error) } : { data: docs };
    });
  } finally {
    fs.rmSync(chart, { recursive: true, force: true });
  }
}

/** fromYaml's answer to text it cannot read: a map with the one key Error. */
const isHelmError = (doc: unknown): doc is { Error: unknown } =>
  typeof doc === 'object' && doc !== null && 'Error' in doc && Object.keys(doc).length === 1;

/** Debian's Python, where mkdocs, PyYAML and Python-Markdown live. */
const PYTHON = '/usr/bin/python3';

interface PythonAnswer {
  data?: unknown[];
  error?: string;
  tags?: string[];
  ids?: string[];
  answers?: PythonAnswer[];
}
interface Waiting {
  resolve: (answer: PythonAnswer) => void;
  reject: (error: Error) => void;
}
let python: { child: ChildProcessWithoutNullStreams; waiting: Waiting[] } | undefined;

/** The one Python process, started on first use; it lets this process exit without stopReaders. */
function pythonProcess() {
  if (python) return python;
  const child = spawn(PYTHON, [path.join(__dirname, 'python-readers.py')], { stdio: 'pipe' });
  const waiting: Waiting[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('exit', code => {
    const error = new Error(
      `${PYTHON} python-readers.py exited (${String(code)}): ${stderr.trim()}\n` +
        '(install the readers: apt-get install -y mkdocs python3-pymdownx)',
    );
    waiting.splice(0).forEach(w => {
      w.reject(error);
    });
    python = undefined;
  });
  createInterface({ input: child.stdout }).on('line', line =>
    waiting.shift()?.resolve(JSON.parse(line) as PythonAnswer),
  );
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as Socket).unref();
  return (python = { child, waiting });
}

function askPython(request: Record<string, unknown>): Promise<PythonAnswer> {
  const { child, waiting } = pythonProcess();
  return new Promise((resolve, reject) => {
    waiting.push({ resolve, reject });
    child.stdin.write(`${JSON.stringify(request)}\n`);
  });
}

/** Many requests in one line to Python and back. */
async function askPythonAll(requests: Record<string, unknown>[]): Promise<PythonAnswer[]> {
  const { answers, error } = await askPython({ op: 'batch', requests });
  if (!answers) throw new Error(error ?? 'python-readers.py gave no answers');
  return answers;
}

/** Ends the Python process, if one was started. */
export function stopReaders() {
  python?.child.kill();
  python = undefined;
}

const pythonReadings = new Readings<Parsed>();

/** PyYAML's readings of many texts, as mkdocs reads mkdocs.yml. */
export function readYamlPython(texts: string[]): Promise<Parsed[]> {
  return pythonReadings.of(texts, async unread =>
    (await askPythonAll(unread.map(text => ({ op: 'yaml', text })))).map(({ data, error }): Parsed =>
      data ? { data } : { error: error ?? 'no answer' },
    ),
  );
}

const answered = (answer: PythonAnswer, key: 'tags' | 'ids'): string[] => {
  const value = answer[key];
  if (!value) throw new Error(answer.error ?? `no ${key} in the answer`);
  return value;
};

const htmlReadings = new Readings<string[]>();

/** The element structure (start tags with attribute names, end tags) of HTML pages, by Python's html.parser. */
function htmlStructures(pages: string[]): Promise<string[][]> {
  return htmlReadings.of(pages, async unread =>
    (await askPythonAll(unread.map(html => ({ op: 'tags', html })))).map(answer => answered(answer, 'tags')),
  );
}

/** The ids of an HTML page's headings, by Python's html.parser: the sections a URL fragment can open. */
export async function headingIds(html: string): Promise<string[]> {
  return answered(await askPython({ op: 'heading_ids', html }), 'ids');
}

const github = new MarkdownIt({ html: true, linkify: true });

/** Pages' structures as GitHub shows them. */
export function githubStructures(pages: string[]): Promise<string[][]> {
  return htmlStructures(pages.map(page => github.render(page)));
}

const extensions = TECHDOCS_CORE_EXTENSIONS.map(e => (typeof e === 'string' ? e : Object.keys(e)[0]));
const configs = Object.assign({}, ...TECHDOCS_CORE_EXTENSIONS.filter(e => typeof e !== 'string')) as unknown;

/** A page that includes other files (pymdownx.snippets): its structure depends on the repository too. */
const includes = (page: string) => page.includes('--8<--');
const techdocsReadings = new Readings<string[]>();

/** Pages' structures as TechDocs builds them; snippets resolve against the repository in root. */
export async function techdocsStructures(pages: string[], root: string): Promise<string[][]> {
  const read = (texts: string[]) =>
    askPythonAll(texts.map(text => ({ op: 'markdown', text, extensions, configs, root }))).then(answers =>
      answers.map(answer => withoutHighlighting(answered(answer, 'tags'))),
    );
  const alone = pages.filter(page => !includes(page));
  const [ofAlone, ofIncluding] = await Promise.all([techdocsReadings.of(alone, read), read(pages.filter(includes))]);
  return pages.map(page => (includes(page) ? ofIncluding : ofAlone).shift() ?? []);
}

/** Highlighting splits code into spans by the text it holds (a name like `if-0` starts with a keyword), so the
 * spans inside code are not the page's structure. */
function withoutHighlighting(tags: string[]): string[] {
  let inCode = 0;
  return tags.filter(tag => {
    const name = tag.split(' ')[0];
    if (name === 'code') inCode++;
    else if (name === '/code') inCode--;
    return !(inCode > 0 && (name === 'span' || name === '/span'));
  });
}
