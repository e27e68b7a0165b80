// The create form's rules, checked by the scaffolder's own server-side validation: each value is submitted
// as the form submits it (its defaults filled in) and must be accepted, or rejected naming field and rule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationFailed } from '../packages/tooling/src/backstage/api';
import { formValues, waitForTemplate } from '../packages/tooling/src/backstage/run-template';
import { TEMPLATE_REF } from '../packages/tooling/src/template-repository';
import { useBackstage } from './support/backstage/backstage';
import { LONGEST_NAME } from './support/backstage/rendered';

type Case = [label: string, values: Record<string, unknown>, expected: 'accepted' | [field: string, rule: string]];

const CASES: Case[] = [
  ['shortest name', { app_name: 'ab' }, 'accepted'],
  ['longest name (40)', { app_name: LONGEST_NAME }, 'accepted'],
  ['name with digits and hyphens', { app_name: 'orders-v2-api' }, 'accepted'],
  ['production', { app_name: 'orders', app_env: 'prod' }, 'accepted'],
  ['in a system', { app_name: 'orders', system: 'system:default/payments' }, 'accepted'],
  ['empty name', { app_name: '' }, ['app_name', 'minLength']],
  ['one character', { app_name: 'a' }, ['app_name', 'minLength']],
  ['41 characters', { app_name: `${LONGEST_NAME}x` }, ['app_name', 'maxLength']],
  ['uppercase', { app_name: 'Orders' }, ['app_name', 'pattern']],
  ['leading digit', { app_name: '2fa-service' }, ['app_name', 'pattern']],
  ['leading hyphen', { app_name: '-orders' }, ['app_name', 'pattern']],
  ['trailing hyphen', { app_name: 'orders-' }, ['app_name', 'pattern']],
  ['underscore', { app_name: 'order_service' }, ['app_name', 'pattern']],
  ['dot', { app_name: 'orders.api' }, ['app_name', 'pattern']],
  ['space', { app_name: 'orders api' }, ['app_name', 'pattern']],
  ['no name', { app_name: undefined }, ['app_name', 'required']],
  ['no owner', { app_name: 'orders', owner: undefined }, ['owner', 'required']],
  ['unknown environment', { app_name: 'orders', app_env: 'staging' }, ['app_env', 'enum']],
  ['environment in capitals', { app_name: 'orders', app_env: 'PROD' }, ['app_env', 'enum']],
  [
    'Docker Hub namespace with capitals',
    { app_name: 'orders', dockerhub_namespace: 'Acme' },
    ['dockerhub_namespace', 'pattern'],
  ],
  [
    'Docker Hub namespace too short',
    { app_name: 'orders', dockerhub_namespace: 'acm' },
    ['dockerhub_namespace', 'minLength'],
  ],
  [
    'domain with a scheme',
    { app_name: 'orders', ingress_domain: 'https://apps.example.com' },
    ['ingress_domain', 'pattern'],
  ],
  [
    'cluster issuer with capitals',
    { app_name: 'orders', cluster_issuer: 'LetsEncrypt' },
    ['cluster_issuer', 'pattern'],
  ],
  [
    'Argo CD over plain http',
    { app_name: 'orders', argocd_url: 'http://argocd.example.com' },
    ['argocd_url', 'pattern'],
  ],
  [
    'Argo CD with a trailing slash',
    { app_name: 'orders', argocd_url: 'https://argocd.example.com/' },
    ['argocd_url', 'pattern'],
  ],
  [
    'Backstage with a path',
    { app_name: 'orders', backstage_url: 'https://backstage.example.com/catalog' },
    ['backstage_url', 'pattern'],
  ],
  [
    'Backstage over plain http',
    { app_name: 'orders', backstage_url: 'http://localhost:3000' },
    ['backstage_url', 'pattern'],
  ],
  ['no repository', { app_name: 'orders', repoUrl: undefined }, ['repoUrl', 'required']],
  // What the pickers emit, and what a user may type by hand instead.
  ['owner as OwnerPicker writes it', { app_name: 'orders', owner: 'group:default/platform-team' }, 'accepted'],
  ['owner typed as a user', { app_name: 'orders', owner: 'user:jane.doe' }, 'accepted'],
  ['owner typed as a bare name', { app_name: 'orders', owner: 'platform-team' }, 'accepted'],
  ['owner of another kind', { app_name: 'orders', owner: 'component:default/orders' }, ['owner', 'pattern']],
  [
    'owner with a line break',
    { app_name: 'orders', owner: 'group:default/a\nspec.dependsOn: x' },
    ['owner', 'pattern'],
  ],
  ['owner with a space', { app_name: 'orders', owner: 'Platform Team' }, ['owner', 'pattern']],
  ['system left empty', { app_name: 'orders', system: '' }, 'accepted'],
  ['system of another kind', { app_name: 'orders', system: 'group:default/payments' }, ['system', 'pattern']],
  [
    'description with Markdown and HTML',
    { app_name: 'orders', description: '<!-- # **Orders** `x` {++y++}' },
    'accepted',
  ],
  ['description with a line break', { app_name: 'orders', description: 'Takes\norders' }, ['description', 'pattern']],
  ['description with DEL', { app_name: 'orders', description: 'Takes orders\u007f' }, ['description', 'pattern']],
  [
    'description with a right-to-left override',
    { app_name: 'orders', description: 'abc\u202edef' },
    ['description', 'pattern'],
  ],
  [
    'repository as RepoUrlPicker writes it',
    { app_name: 'orders', repoUrl: 'github.com?owner=acme-inc&repo=orders.api' },
    'accepted',
  ],
  ['repository as a URL', { app_name: 'orders', repoUrl: 'https://github.com/acme/orders' }, ['repoUrl', 'pattern']],
  [
    'repository owner with two hyphens',
    { app_name: 'orders', repoUrl: 'github.com?owner=a--b&repo=orders' },
    ['repoUrl', 'pattern'],
  ],
  ['repository named ..', { app_name: 'orders', repoUrl: 'github.com?owner=acme&repo=..' }, ['repoUrl', 'pattern']],
  [
    'domain label of 64 characters',
    { app_name: 'orders', ingress_domain: `${'a'.repeat(64)}.example.com` },
    ['ingress_domain', 'pattern'],
  ],
  ['Argo CD with a port', { app_name: 'orders', argocd_url: 'https://argocd.example.com:8443' }, 'accepted'],
  [
    'Argo CD with a password',
    { app_name: 'orders', argocd_url: 'https://admin:secret@argocd.example.com' },
    ['argocd_url', 'pattern'],
  ],
  [
    'Argo CD with a port out of range',
    { app_name: 'orders', argocd_url: 'https://argocd.example.com:99999' },
    ['argocd_url', 'pattern'],
  ],
  [
    'Argo CD with a fragment',
    { app_name: 'orders', argocd_url: 'https://argocd.example.com#x' },
    ['argocd_url', 'pattern'],
  ],
];

describe('the create form, validated by the scaffolder', () => {
  const backstage = useBackstage();

  for (const [label, overrides, expected] of CASES) {
    const verdict = expected === 'accepted' ? 'accepted' : `rejected: ${expected[0]} fails ${expected[1]}`;
    test(`${label} -> ${verdict}`, async () => {
      const { api } = backstage();
      await waitForTemplate(api);
      // A field given as undefined is left out, defaults included.
      const left = new Set(Object.keys(overrides).filter(key => overrides[key] === undefined));
      const filled = await formValues(api, { app_env: 'dev', ...overrides });
      const values = Object.fromEntries(Object.entries(filled).filter(([key]) => !left.has(key)));
      const outcome = await api.createTask(TEMPLATE_REF, values).then(
        () => 'accepted' as const,
        (error: unknown) => {
          if (!(error instanceof ValidationFailed)) throw error;
          return error.errors;
        },
      );
      if (expected === 'accepted') {
        assert.equal(outcome, 'accepted');
        return;
      }
      assert.notEqual(outcome, 'accepted', `${JSON.stringify(values)} was accepted`);
      const [field, rule] = expected;
      const named = (outcome as ValidationFailed['errors']).map(e =>
        e.name === 'required' ? `${String(e.argument)}:required` : `${e.property.replace(/^instance\./, '')}:${e.name}`,
      );
      assert.ok(
        named.includes(`${field}:${rule}`),
        `expected ${field}:${rule}, the scaffolder said ${named.join(', ')}`,
      );
    });
  }
});
