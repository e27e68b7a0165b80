// How the tools downstream of the template read a rendered repository: helm and Argo CD read YAML with Go
// (sigs.k8s.io/yaml, YAML 1.1 rules), mkdocs with PyYAML (YAML 1.1), Backstage with the JS `yaml` package
// (YAML 1.2). Pages are read by GitHub (CommonMark + GFM, approximated by markdown-it) and by TechDocs
// (Python-Markdown with techdocs-core's extensions). Each reader returns data or an error, never throws.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import MarkdownIt from 'markdown-it';
import { parseAllDocuments } from 'yaml';
import { helm } from '../chart/helm';
import { TECHDOCS_CORE_EXTENSIONS } from '../../../portal/backend/techdocs-approximation';

export type Parsed = { data: unknown[] } | { error: string };

/** The JS reader, as Backstage's catalog reads catalog-info.yaml. */
export function readYamlJs(text: string): Parsed {
  const docs = parseAllDocuments(text);
  const errors = docs.flatMap(d => d.errors.map(e => e.message));
  return errors.length ? { error: errors.join('; ') } : { data: docs.map(d => d.toJS()) };
}

/** Documents of a YAML stream, split where a line is `---` (a template value cannot start a line). */
const documents = (text: string) => text.split(/^---[ \t]*$/m).filter(doc => doc.trim() !== '');

/** Go's reader, as helm reads Chart.yaml and values files: through helm's own `fromYaml`. */
export function readYamlGo(files: Map<string, string>): Map<string, Parsed> {
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'go-yaml-'));
  try {
    const names = [...files.keys()];
    fs.mkdirSync(path.join(chart, 'files'));
    fs.mkdirSync(path.join(chart, 'templates'));
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: go-yaml-reader\nversion: 0.1.0\n');
    names.forEach((name, i) =>
      documents(files.get(name)!).forEach((doc, j) =>
        fs.writeFileSync(path.join(chart, 'files', `${i}-${j}.yaml`), doc),
      ),
    );
    fs.writeFileSync(
      path.join(chart, 'templates', 'parsed.yaml'),
      '{{- $out := dict }}{{- range $path, $_ := .Files.Glob "files/*.yaml" }}' +
        '{{- $_ := set $out (base $path) ($.Files.Get $path | fromYaml) }}{{- end }}' +
        '{{ dict "kind" "Parsed" "files" $out | toJson }}\n',
    );
    const run = helm(['template', 'reader', chart]);
    if (run.status !== 0) throw new Error(`helm could not run the YAML reader chart: ${run.output}`);
    const parsed = JSON.parse(run.output.replace(/^---.*\n# Source: .*\n/, '')).files as Record<string, any>;
    return new Map(
      names.map((name, i) => {
        const docs = documents(files.get(name)!).map((_, j) => parsed[`${i}-${j}.yaml`]);
        const error = docs.find(d => d && typeof d === 'object' && 'Error' in d && Object.keys(d).length === 1);
        return [name, error ? { error: String(error.Error) } : { data: docs }];
      }),
    );
  } finally {
    fs.rmSync(chart, { recursive: true, force: true });
  }
}

/** Debian's Python, where mkdocs, PyYAML and Python-Markdown live. */
const PYTHON = '/usr/bin/python3';
let python: { child: ChildProcessWithoutNullStreams; pending: ((line: string) => void)[] } | undefined;

function askPython(request: Record<string, unknown>): Promise<any> {
  if (!python) {
    const child = spawn(PYTHON, [path.join(__dirname, 'python-readers.py')], { stdio: 'pipe' });
    const pending: ((line: string) => void)[] = [];
    let stderr = '';
    child.stderr.on('data', chunk => (stderr += chunk));
    child.on('exit', code => {
      if (code && pending.length) {
        throw new Error(
          `${PYTHON} ${path.basename(__filename)}: ${stderr.trim()}\n(install the readers: apt-get install -y mkdocs python3-pymdownx)`,
        );
      }
    });
    createInterface({ input: child.stdout }).on('line', line => pending.shift()?.(line));
    child.unref();
    (child.stdout as any).unref?.();
    (child.stdin as any).unref?.();
    (child.stderr as any).unref?.();
    python = { child, pending };
  }
  const { child, pending } = python;
  return new Promise(resolve => {
    pending.push(line => resolve(JSON.parse(line)));
    child.stdin.write(`${JSON.stringify(request)}\n`);
  });
}

/** Ends the Python process, if one was started. */
export function stopReaders() {
  python?.child.kill();
  python = undefined;
}

/** PyYAML's reader, as mkdocs reads mkdocs.yml. */
export async function readYamlPython(text: string): Promise<Parsed> {
  return askPython({ op: 'yaml', text });
}

/** The element structure (start tags with attribute names, end tags) of HTML, by Python's html.parser. */
export async function htmlStructure(html: string): Promise<string[]> {
  const { tags, error } = await askPython({ op: 'tags', html });
  if (error) throw new Error(error);
  return tags;
}

/** The ids of an HTML page's headings, by Python's html.parser: the sections a URL fragment can open. */
export async function headingIds(html: string): Promise<string[]> {
  const { ids, error } = await askPython({ op: 'heading_ids', html });
  if (error) throw new Error(error);
  return ids;
}

const github = new MarkdownIt({ html: true, linkify: true });

/** A page's structure as GitHub shows it. */
export function githubStructure(markdown: string): Promise<string[]> {
  return htmlStructure(github.render(markdown));
}

const extensions = TECHDOCS_CORE_EXTENSIONS.map(e => (typeof e === 'string' ? e : Object.keys(e)[0]));
const configs = Object.assign({}, ...TECHDOCS_CORE_EXTENSIONS.filter(e => typeof e !== 'string'));

/** A page's structure as TechDocs builds it; snippets resolve against the repository in root. */
export async function techdocsStructure(markdown: string, root: string): Promise<string[]> {
  const { tags, error } = await askPython({ op: 'markdown', text: markdown, extensions, configs, root });
  if (error) throw new Error(error);
  return withoutHighlighting(tags);
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
