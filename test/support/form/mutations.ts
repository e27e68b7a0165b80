// Rules of the create form moved by one, each in a field's schema: a length limit, a label's length inside a
// pattern, a character class one character wider or narrower, a port range, an enum member. The verdict
// property has to fail on each.
import type { Schema } from 'jsonschema';

export interface Mutation {
  field: string;
  change: string;
  mutate: (schema: Schema) => void;
}

/** Replaces text in the field's pattern: the last occurrence, or every one. */
const inPattern =
  (from: string, to: string, { every = false } = {}) =>
  (schema: Schema) => {
    const pattern = typeof schema.pattern === 'string' ? schema.pattern : '';
    const at = pattern.lastIndexOf(from);
    if (every) schema.pattern = pattern.replaceAll(from, to);
    else if (at >= 0) schema.pattern = `${pattern.slice(0, at)}${to}${pattern.slice(at + from.length)}`;
  };

const by =
  (key: 'minLength' | 'maxLength', step: number) =>
  (schema: Schema): void => {
    schema[key] = (schema[key] ?? 0) + step;
  };

export const MUTATIONS: Mutation[] = [
  { field: 'app_name', change: 'maxLength is one more', mutate: by('maxLength', 1) },
  { field: 'app_name', change: 'minLength is one less', mutate: by('minLength', -1) },
  { field: 'app_name', change: 'first character may be a backtick', mutate: inPattern('^[a-z]', '^[`-z]') },
  { field: 'app_name', change: 'last character may not be a 9', mutate: inPattern('[a-z0-9])?$', '[a-z0-8])?$') },
  { field: 'description', change: 'maxLength is one less', mutate: by('maxLength', -1) },
  { field: 'description', change: 'pattern lets U+061C through', mutate: inPattern('\\u061c', '') },
  { field: 'owner', change: 'names may have 64 characters', mutate: inPattern('{0,61}', '{0,62}') },
  { field: 'system', change: 'names may have only 62 characters', mutate: inPattern('{0,61}', '{0,60}') },
  { field: 'app_env', change: 'enum has one more member', mutate: schema => schema.enum?.push('staging') },
  { field: 'dockerhub_namespace', change: 'minLength is one less', mutate: by('minLength', -1) },
  {
    field: 'ingress_domain',
    change: 'labels may have 64 characters',
    mutate: inPattern('{0,61}', '{0,62}', { every: true }),
  },
  // Loosened by more than one: a label of 72 characters.
  {
    field: 'ingress_domain',
    change: 'labels may have 72 characters',
    mutate: inPattern('{0,61}', '{0,70}', { every: true }),
  },
  {
    field: 'ingress_domain',
    change: 'labels may have only 62 characters',
    mutate: inPattern('{0,61}', '{0,60}', { every: true }),
  },
  { field: 'ingress_domain', change: 'maxLength is one more', mutate: by('maxLength', 1) },
  { field: 'cluster_issuer', change: 'maxLength is one less', mutate: by('maxLength', -1) },
  { field: 'argocd_url', change: 'ports may be 65536', mutate: inPattern('6553[0-5]', '6553[0-6]') },
  { field: 'backstage_url', change: 'port 443 may be given', mutate: inPattern('(?!443$)', '') },
  { field: 'repoUrl', change: 'owners may have 40 characters', mutate: inPattern('{1,39}', '{1,40}') },
  { field: 'repoUrl', change: 'a repository may be named ..', mutate: inPattern('(?!\\.\\.?$)', '(?!\\.$)') },
];
