// Which escape each template value needs where it lands, checked on the skeleton's source through the
// nunjucks parser (the classic engine's own; nunjitsu parses the same syntax). The rules:
// - YAML and JSON files: every expression that reads a value ends in `| dump` (a JSON string is a YAML
//   double-quoted scalar too), except in a YAML comment, which may hold identifiers only;
// - Markdown: free text goes through `| escape` (and sits in an HTML block, which the property tests check);
// - everywhere else (file names, TypeScript, Dockerfile, Markdown prose): identifiers only, the values
//   whose form rules admit nothing but letters, digits and `._:/?=&-` (the property tests prove that too).
import nunjucks from 'nunjucks';

/**
 * The fetch:template values a user types freely (form_answers holds the form's answers, the description among
 * them); every other value is an identifier.
 */
export const FREE_TEXT_VALUES = ['description', 'form_answers'];

/** What an identifier may hold: the form's rules admit nothing else (the property tests check every render). */
export const IDENTIFIER = /^[A-Za-z0-9._:/?=&-]*$/;

interface Node {
  typename: string;
  value?: unknown;
  lineno: number;
  fields?: string[];
  [field: string]: any;
}

const children = (node: Node): Node[] =>
  (node.fields ?? []).flatMap(field => {
    const child = node[field];
    if (Array.isArray(child)) return child;
    return child && typeof child === 'object' && child.typename ? [child] : [];
  });

/** The `values.x` names an expression reads. */
function valuesRead(node: Node): string[] {
  if (node.typename === 'LookupVal' && node.target?.typename === 'Symbol' && node.target.value === 'values') {
    return [String(node.val.value)];
  }
  return children(node).flatMap(valuesRead);
}

/** The filters applied last to an expression, outermost first (`x | escape | replace(...)`: replace, escape). */
function outerFilters(node: Node): string[] {
  return node.typename === 'Filter' ? [node.name.value, ...outerFilters(node.args.children[0])] : [];
}

/** Every `${{ }}` output of a source that reads a value, with its line. */
function outputs(source: string): { line: number; read: string[]; filters: string[] }[] {
  const found: { line: number; read: string[]; filters: string[] }[] = [];
  const walk = (node: Node) => {
    if (node.typename === 'Output') {
      for (const expression of node.children as Node[]) {
        if (expression.typename === 'TemplateData') continue;
        const read = valuesRead(expression);
        if (read.length) found.push({ line: expression.lineno, read, filters: outerFilters(expression) });
      }
    }
    children(node).forEach(walk);
  };
  walk((nunjucks as any).parser.parse(source, [], { tags: { variableStart: '${{', variableEnd: '}}' } } as any) as Node);
  return found;
}

/** What a skeleton file (its name, then its text) does wrong, as `file:line: ...` sentences. */
export function escapeFindings(file: string, text: string): string[] {
  const findings: string[] = [];
  const lines = text.split('\n');
  const structured = /\.(ya?ml|json)$/.test(file);
  const markdown = file.endsWith('.md');
  for (const { line, read, filters } of outputs(file)) {
    const free = read.filter(name => FREE_TEXT_VALUES.includes(name));
    if (free.length) findings.push(`${file} (file name): reads free text ${free.join(', ')}`);
  }
  for (const { line, read, filters } of outputs(text)) {
    const where = `${file}:${line + 1}`;
    const free = read.filter(name => FREE_TEXT_VALUES.includes(name));
    const comment = structured && /^\s*#/.test(lines[line] ?? '');
    if (structured && !comment && filters[0] !== 'dump') {
      findings.push(`${where}: ${read.join(', ')} must end in | dump in YAML and JSON`);
    } else if (free.length && markdown && !filters.includes('escape')) {
      findings.push(`${where}: free text ${free.join(', ')} must go through | escape in Markdown`);
    } else if (free.length && !structured && !markdown) {
      findings.push(`${where}: free text ${free.join(', ')} has no escape for this kind of file`);
    } else if (free.length && comment) {
      findings.push(`${where}: free text ${free.join(', ')} in a YAML comment`);
    }
  }
  return findings;
}
