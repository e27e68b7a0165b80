// What a careless or hostile user can type into the create form, as fast-check arbitraries, and an oracle
// that says, field by field and without the form's regular expressions, whether a value must be accepted:
// the rule each value has to satisfy where it lands downstream (the catalog, GitHub, DNS, a URL, YAML).
import { makeValidator, parseEntityRef } from '@backstage/catalog-model';
import type { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import fc from 'fast-check';
import { validate, type Schema } from 'jsonschema';
import { readTemplate } from '../../../packages/tooling/src/template-repository';
import { LONGEST_NAME } from '../backstage/rendered';
import { edgeValues, schemaRule, type FieldPlaces, type Place } from './boundaries';

export type FormValues = Record<string, string | undefined>;

/** Text that means something to one of the languages a value lands in. */
const HOSTILE = [
  // YAML 1.1 / 1.2
  ': ',
  ' #',
  '#',
  '*a',
  '&a',
  '[',
  ']',
  '{',
  '}',
  '- ',
  '? ',
  '|',
  '>',
  '%',
  '@',
  '`',
  "'",
  '"',
  '---',
  '...',
  '!!python/name:os.system',
  '!ENV',
  'no',
  'on',
  'off',
  'yes',
  'y',
  'null',
  '~',
  'true',
  '1e3',
  '0x10',
  '0o7',
  '.inf',
  '.nan',
  '2024-01-01',
  '<<: *a',
  '\\',
  // line breaks as each reader counts them, and characters YAML, git or a terminal refuse
  '\n',
  '\r\n',
  '\r',
  '\u0085',
  '\u2028',
  '\u2029',
  '\t',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0080',
  '\u009f',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u2066',
  '\u200b',
  '\u200d',
  '\u00ad',
  '\ue000',
  // Markdown (CommonMark, GFM, Python-Markdown and the pymdownx extensions TechDocs enables)
  '<!--',
  '-->',
  '```',
  '~~~',
  '    code',
  '# ',
  '## h',
  '> ',
  '* ',
  '1. ',
  '| a | b |',
  '---|---',
  '[x](javascript:alert(1))',
  '![x](https://example.com/x.png)',
  '<https://example.com>',
  'https://example.com',
  '**b**',
  '_i_',
  '[^1]',
  '[^1]: note',
  '*[HTML]: Hyper',
  '--8<-- "README.md"',
  '--8<--',
  '!!! note',
  '??? note',
  '=== "Tab"',
  '{++ins++}',
  '{--del--}',
  '{~~a~>b~~}',
  '{==mark==}',
  '{>>c<<}',
  '==mark==',
  '^^sup^^',
  '~~del~~',
  ':smile:',
  '@user',
  'org/repo#1',
  '&amp;',
  '&lt;',
  '&#0;',
  '$x$',
  '- [ ] task',
  '1st',
  '(c)',
  '-->',
  '{: .class }',
  '<div markdown="1">',
  // HTML
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '</p>',
  '<p>',
  '<style>',
  '<iframe src=//example.com>',
  // Nunjucks and GitHub expressions
  '{{ 7*7 }}',
  '${{ values.app_name }}',
  '${{ secrets.GITHUB_TOKEN }}',
  '${{ github.sha }}',
  '{% raw %}',
  '{% endraw %}',
  '{# c #}',
  '{%',
  '%}',
  // JSON, shell, URLs
  '{"a":1}',
  '[1,2]',
  '123',
  '"}',
  '\\u0000',
  '$(id)',
  '`id`',
  "'; rm -rf / #",
  '%0a',
  '%2F',
  '?x=1',
  '#frag',
  'user:pass@',
  '/path',
  // Unicode
  'é',
  'e\u0301',
  '日本語',
  '👩‍💻',
  '🇫🇷',
  '\u00a0',
  '\u3000',
  'ﬁ',
  'İ',
  'ß',
  '𝒳',
];

const hostileText = (maxLength: number) =>
  fc
    .array(
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE) }, fc.string({ unit: 'binary', maxLength: 6 })),
      {
        minLength: 1,
        maxLength: 12,
      },
    )
    .map(parts => parts.join(''))
    .filter(text => text !== '')
    .chain(text =>
      fc.constantFrom(
        text,
        text.slice(0, maxLength),
        text.repeat(Math.ceil(maxLength / text.length)).slice(0, maxLength),
      ),
    );

/** The form's fields as the scaffolder validates them: each field's schema, from every page of a template. */
export function fieldSchemas(template: TemplateEntityV1beta3): Record<string, Schema> {
  return Object.assign({}, ...formPages(template).map(page => page.properties ?? {})) as Record<string, Schema>;
}

const formPages = (template: TemplateEntityV1beta3) => [template.spec.parameters ?? []].flat() as Schema[];

/** This repository's template. */
const TEMPLATE = readTemplate();
const SCHEMAS = fieldSchemas(TEMPLATE);

/** Whether a template's schema accepts the values, every page, with the library the scaffolder uses. */
export function schemaAccepts(values: FormValues, template = TEMPLATE): boolean {
  const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  return formPages(template).every(page => validate(defined, page).valid);
}

const catalog = makeValidator();
const codePoints = (text: string) => Array.from(text).length;
const NOT_PRINTABLE = /[\p{Cc}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/u;
/** RFC 1123: a DNS label has at most 63 characters. */
const DNS_LABEL = 63;
const isDnsLabel = (label: string) => label.length <= DNS_LABEL && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(label);
const isDnsName = (name: string) => {
  const labels = name.split('.');
  return labels.every(isDnsLabel) && /^[a-z]/.test(labels[labels.length - 1]);
};
/** The environments the skeleton has values for. */
const ENVIRONMENTS = ['dev', 'prod'];

function isRef(value: string, kinds: string[], defaultKind: string): boolean {
  try {
    const ref = parseEntityRef(value, { defaultKind, defaultNamespace: 'default' });
    const explicitKind = value.split('/')[0].includes(':');
    return (
      (!explicitKind || kinds.includes(ref.kind)) &&
      catalog.isValidNamespace(ref.namespace) &&
      catalog.isValidEntityName(ref.name)
    );
  } catch {
    return false;
  }
}

/** The form's own bound on an address it writes into links: no reader downstream sets one. */
const LONGEST_ADDRESS = 200;

// A real https origin: what `new URL` reads back as itself, on a DNS name, with no credentials.
const isHttpsOrigin = (v: string | undefined): boolean => {
  if (v === undefined || v.length > LONGEST_ADDRESS) return false;
  try {
    const url = new URL(v);
    return url.protocol === 'https:' && url.origin === v && url.port !== '0' && isDnsName(url.hostname);
  } catch {
    return false;
  }
};

/** Per field, whether a value must be accepted: the rule downstream, written without the form's patterns. */
export const ORACLE: Record<string, (value: string | undefined) => boolean> = {
  app_name: v => v !== undefined && v.length >= 2 && v.length <= 40 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(v),
  // One line of printable text, as GitHub's repository description, YAML and Markdown all take it.
  description: v => v !== undefined && codePoints(v) >= 1 && codePoints(v) <= 300 && !NOT_PRINTABLE.test(v),
  // Entity refs as the pickers write them (kind in lowercase), or a bare name.
  owner: v => v !== undefined && isRef(v, ['group', 'user'], 'group'),
  system: v => v === undefined || v === '' || isRef(v, ['system'], 'system'),
  app_env: v => v !== undefined && ENVIRONMENTS.includes(v),
  dockerhub_namespace: v => v !== undefined && /^[a-z0-9]{4,30}$/.test(v),
  ingress_domain: v => v !== undefined && v.length <= 180 && v.includes('.') && isDnsName(v),
  // A Kubernetes object name (a DNS-1123 subdomain: Kubernetes does not limit its labels to 63).
  cluster_issuer: v =>
    v !== undefined && v.length <= 253 && v.split('.').every(l => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(l)),
  argocd_url: isHttpsOrigin,
  backstage_url: isHttpsOrigin,
  // As RepoUrlPicker writes it for GitHub; owner and name as GitHub allows them.
  repoUrl: v => {
    if (v === undefined || !v.startsWith('github.com?')) return false;
    const params = new URLSearchParams(v.slice('github.com?'.length));
    const owner = params.get('owner') ?? '';
    const repo = params.get('repo') ?? '';
    return (
      `github.com?${new URLSearchParams({ owner, repo })}` === v &&
      owner.length <= 39 &&
      /^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(owner) &&
      repo.length <= 100 &&
      /^[A-Za-z0-9._-]+$/.test(repo) &&
      repo !== '.' &&
      repo !== '..'
    );
  },
};

/**
 * A DNS name of each length, in as few labels as DNS allows. markdown-it, the checks' stand-in for GitHub,
 * makes a link of an https URL only if its host has at most 11 labels (linkify-it 6); GitHub has no such limit.
 */
const dnsName = (length: number) => {
  const label = `${'a'.repeat(DNS_LABEL)}.`;
  const name = label.repeat(Math.ceil(length / label.length)).slice(0, length);
  // A last label of one letter rather than a dot at the end.
  return name.endsWith('.') ? `${name.slice(0, -2)}.a` : name;
};
const named = (value: (part: string) => string): Place => ({ value, part: 'abc' });
const origin: FieldPlaces = {
  places: [
    named(p => `https://${p}.example.com`),
    named(p => `https://example.${p}`),
    { value: p => `https://example.com:${p}`, part: '8443', integer: true },
    { value: p => `${p}://example.com`, part: 'https' },
  ],
  sized: length => `https://${dnsName(length - 'https://'.length)}`,
};

/** Where each field's rules have edges: the places of its value, in a value both rules otherwise accept. */
const PLACES: Record<string, FieldPlaces> = {
  app_name: { places: [named(p => p)] },
  // Its characters are alike wherever they stand. Lengths count characters, not UTF-16 units.
  description: { places: [{ value: p => p, part: 'ab', text: true }], sized: length => '\u{1f600}'.repeat(length) },
  owner: {
    places: [
      named(p => `group:default/${p}`),
      named(p => p),
      named(p => `user:${p}`),
      named(p => `group:${p}/abc`),
      named(p => `${p}/abc`),
      { value: p => `${p}:default/abc`, part: 'group' },
      { value: p => `${p}:abc`, part: 'user' },
    ],
  },
  system: {
    places: [
      named(p => `system:default/${p}`),
      named(p => p),
      named(p => `system:${p}/abc`),
      { value: p => `${p}:default/abc`, part: 'system' },
    ],
  },
  app_env: { places: ENVIRONMENTS.map(part => ({ value: p => p, part })) },
  dockerhub_namespace: { places: [{ value: p => p, part: 'abcd' }] },
  ingress_domain: { places: [named(p => `${p}.example.com`), named(p => `apps.${p}`)], sized: dnsName },
  cluster_issuer: { places: [named(p => p), named(p => `a.${p}`)], sized: dnsName },
  argocd_url: origin,
  backstage_url: origin,
  repoUrl: {
    places: [
      named(p => `github.com?owner=${p}&repo=orders`),
      named(p => `github.com?owner=acme&repo=${p}`),
      { value: p => `github.com?owner=acme&repo=${p}`, part: '...' },
    ],
  },
};

/** Lengths are probed at least this far, past every limit inside a value (a repository name's 100). */
const PROBED_LENGTH = 256;

/** The values at the edges of a field's rules: those of the schema, and those of the oracle. */
export function edgesOf(field: string, schema: Schema): string[] {
  const longest = Math.max(schema.maxLength ?? 0, PROBED_LENGTH) + 1;
  return edgeValues(schemaRule(schema), ORACLE[field], PLACES[field], longest);
}

/** Per field, this template's edge values. */
export const EDGES: Record<string, string[]> = Object.fromEntries(
  Object.entries(SCHEMAS).map(([field, schema]) => [field, edgesOf(field, schema)]),
);

/** Hostile text up to one past the field's length limit. */
const pastLimit = (field: string, otherwise: number) => hostileText((SCHEMAS[field].maxLength ?? otherwise) + 1);

const dnsLabel = (max = DNS_LABEL) => fc.stringMatching(new RegExp(`^[a-z0-9](?:[-a-z0-9]{0,${max - 2}}[a-z0-9])?$`));
const entityName = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/),
  fc.constantFrom('no', 'null', 'on', 'true', '1e3', '0x10', '1_000', 'a.b', '123', 'A'.repeat(63), 'a'.repeat(64)),
);
const entityRef = (kinds: string[]) =>
  fc
    .tuple(
      fc.constantFrom('', ...kinds.map(k => `${k}:`)),
      fc.constantFrom('', 'default/', 'team-a/', 'Team/', 'no/'),
      entityName,
    )
    .map(([kind, namespace, name]) => `${kind}${namespace}${name}`);
const githubOwner = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$/),
  fc.constantFrom('a--b', '-a', 'a-', 'a'.repeat(40), 'a_b', 'a.b', 'no', 'null'),
);
const githubRepo = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._-]{1,100}$/),
  fc.constantFrom('.', '..', '...', 'a'.repeat(101), 'no', 'a b', '.github', 'repo.git'),
);
const host = fc
  .tuple(
    fc.array(dnsLabel(70), { minLength: 0, maxLength: 3 }),
    fc.oneof(dnsLabel(), fc.constantFrom('com', '1', 'a1')),
  )
  .map(([labels, tld]) => [...labels, tld].join('.'));

// An https origin as the URL fields take it, with the mistakes people make (paths, ports, credentials).
const httpsOrigin = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        host,
        fc.constantFrom('', ':8443', ':443', ':0', ':65536', ':99999'),
        fc.constantFrom('', '', '', '/', '/argo', '?x=1', '#x'),
      )
      .map(([h, port, rest]) => `https://${h}${port}${rest}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'http://argocd.example.com',
      'https://user:pass@argocd.example.com',
      'https://ArgoCD.example.com',
      'https://exämple.com',
      'https://10.0.0.1',
    ),
  },
  { weight: 1, arbitrary: hostileText(60).map(t => `https://${t}`) },
);

/** Per field, values of the field's own shape (valid or nearly) and some hostile text. */
const SHAPES: Record<string, fc.Arbitrary<string | undefined>> = {
  app_name: fc.oneof(
    { weight: 6, arbitrary: fc.stringMatching(/^[a-z][-a-z0-9]{0,38}[a-z0-9]$/) },
    { weight: 3, arbitrary: fc.constantFrom('no', 'on', 'off', 'yes', 'y', 'null', 'true', 'ab', LONGEST_NAME) },
    { weight: 1, arbitrary: pastLimit('app_name', 40) },
  ),
  description: fc.oneof(
    { weight: 8, arbitrary: pastLimit('description', 300) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: (SCHEMAS.description.maxLength ?? 300) + 1 }),
    },
  ),
  owner: fc.oneof(
    { weight: 9, arbitrary: entityRef(['group', 'user', 'Group', 'system']) },
    { weight: 1, arbitrary: hostileText(80) },
  ),
  system: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 5, arbitrary: entityRef(['system', 'group']) },
    { weight: 1, arbitrary: hostileText(80) },
  ),
  app_env: fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...ENVIRONMENTS) },
    { weight: 1, arbitrary: hostileText(8) },
  ),
  dockerhub_namespace: fc.oneof(
    { weight: 9, arbitrary: fc.stringMatching(/^[a-z0-9]{4,30}$/) },
    { weight: 1, arbitrary: pastLimit('dockerhub_namespace', 30) },
  ),
  ingress_domain: fc.oneof(
    { weight: 4, arbitrary: host.filter(h => h.includes('.')) },
    { weight: 4, arbitrary: fc.constantFrom('apps.example.com', 'no.on', 'a.b', `${'a'.repeat(63)}.example.com`) },
    { weight: 1, arbitrary: pastLimit('ingress_domain', 180) },
  ),
  cluster_issuer: fc.oneof(
    { weight: 9, arbitrary: fc.array(dnsLabel(), { minLength: 1, maxLength: 3 }).map(l => l.join('.')) },
    { weight: 1, arbitrary: pastLimit('cluster_issuer', 253) },
  ),
  argocd_url: httpsOrigin,
  backstage_url: httpsOrigin,
  repoUrl: fc.oneof(
    { weight: 8, arbitrary: fc.tuple(githubOwner, githubRepo).map(([o, r]) => `github.com?owner=${o}&repo=${r}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'https://github.com/acme/orders',
        'github.com/acme/orders',
        'gitlab.com?owner=acme&repo=orders',
        'github.com?repo=orders&owner=acme',
        'github.com?owner=acme&repo=orders&x=1',
        'github.com?owner=acme&repo=a%0Ab',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(hostileText(40), hostileText(40)).map(([o, r]) => `github.com?owner=${o}&repo=${r}`),
    },
  ),
};

/** Per field: as often a value at an edge of its rules as one of its shape or hostile text. */
export const FIELDS: Record<string, fc.Arbitrary<string | undefined>> = Object.fromEntries(
  Object.entries(SHAPES).map(([field, shape]) => [field, fc.oneof(fc.constantFrom(...EDGES[field]), shape)]),
);

/** A value set the form accepts, used as the base when one field at a time is made hostile. */
export const VALID: FormValues = {
  app_name: 'orders',
  description: 'Takes and tracks orders.',
  owner: 'group:default/platform-team',
  system: 'system:default/payments',
  app_env: 'dev',
  dockerhub_namespace: 'acme',
  ingress_domain: 'apps.example.com',
  cluster_issuer: 'letsencrypt-prod',
  argocd_url: 'https://argocd.example.com',
  backstage_url: 'https://backstage.example.com',
  repoUrl: 'github.com?owner=acme&repo=orders',
};

/**
 * Whole value sets, each field mostly one its rule admits (hostile where the rule lets it be: the
 * description above all), sometimes anything: the property keeps those the form's schema accepts.
 */
export const formValues = fc
  .record(
    Object.fromEntries(
      Object.entries(FIELDS).map(([name, field]) => [
        name,
        fc.oneof({ weight: 5, arbitrary: field.filter(ORACLE[name]) }, { weight: 1, arbitrary: field }),
      ]),
    ),
    { requiredKeys: [] },
  )
  .map((values): FormValues => ({ ...VALID, ...values }));
