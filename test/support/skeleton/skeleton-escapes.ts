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

/** A node of the nunjucks AST (nunjucks/src/nodes.js): its type's name, and the fields that hold its children. */
interface AstNode {
  typename: string;
  lineno: number;
  fields?: string[];
}

interface NunjucksParser {
  parse(source: string, extensions: unknown[], options: { tags: Record<string, string> }): AstNode;
}
/** The parser the nunjucks module carries; @types/nunjucks leaves it out. */
const { parser } = nunjucks as unknown as { parser: NunjucksParser };

const isNode = (value: unknown): value is AstNode =>
  typeof value === 'object' && value !== null && typeof (value as Partial<AstNode>).typename === 'string';

/** A field of a node: a child node, a list of them, or a literal's value. */
const field = (node: AstNode, name: string): unknown => (node as unknown as Record<string, unknown>)[name];

/** A field holding one child node, if it does. */
const childAt = (node: AstNode, name: string): AstNode | undefined => {
  const child = field(node, name);
  return isNode(child) ? child : undefined;
};

const children = (node: AstNode): AstNode[] =>
  (node.fields ?? []).flatMap(name => {
    const child = field(node, name);
    if (Array.isArray(child)) return child.filter(isNode);
    return isNode(child) ? [child] : [];
  });

/** The `values.x` names an expression reads. */
function valuesRead(node: AstNode): string[] {
  const target = childAt(node, 'target');
  if (node.typename === 'LookupVal' && target?.typename === 'Symbol' && field(target, 'value') === 'values') {
    const name = childAt(node, 'val');
    return [String(name && field(name, 'value'))];
  }
  return children(node).flatMap(valuesRead);
}

/** The filters applied last to an expression, outermost first (`x | escape | replace(...)`: replace, escape). */
function outerFilters(node: AstNode): string[] {
  if (node.typename !== 'Filter') return [];
  const name = childAt(node, 'name');
  const piped = children(childAt(node, 'args') ?? node).at(0);
  return [String(name && field(name, 'value')), ...(piped ? outerFilters(piped) : [])];
}

/** Every `${{ }}` output of a source that reads a value, with its line. */
function outputs(source: string): { line: number; read: string[]; filters: string[] }[] {
  const found: { line: number; read: string[]; filters: string[] }[] = [];
  const walk = (node: AstNode) => {
    if (node.typename === 'Output') {
      for (const expression of children(node)) {
        if (expression.typename === 'TemplateData') continue;
        const read = valuesRead(expression);
        if (read.length) found.push({ line: expression.lineno, read, filters: outerFilters(expression) });
      }
    }
    children(node).forEach(walk);
  };
  walk(parser.parse(source, [], { tags: { variableStart: '${{', variableEnd: '}}' } }));
  return found;
}

/** What a skeleton file (its name, then its text) does wrong, as `file:line: ...` sentences. */
export function escapeFindings(file: string, text: string): string[] {
  const findings: string[] = [];
  const lines = text.split('\n');
  const structured = /\.(ya?ml|json)$/.test(file);
  const markdown = file.endsWith('.md');
  for (const { read } of outputs(file)) {
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
