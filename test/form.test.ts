// The create form's rules, checked by the scaffolder's own server-side validation: each value is submitted
// as the form submits it (its defaults filled in) and must be accepted, or rejected naming field and rule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationFailed } from '../tools/backstage/api';
import { formValues, TEMPLATE_REF, waitForTemplate } from '../tools/backstage/run-template';
import { useBackstage } from './support/backstage';
import { LONGEST_NAME } from './support/rendered';

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
  ['Docker Hub namespace with capitals', { app_name: 'orders', dockerhub_namespace: 'Acme' }, ['dockerhub_namespace', 'pattern']],
  ['Docker Hub namespace too short', { app_name: 'orders', dockerhub_namespace: 'acm' }, ['dockerhub_namespace', 'minLength']],
  ['domain with a scheme', { app_name: 'orders', ingress_domain: 'https://apps.example.com' }, ['ingress_domain', 'pattern']],
  ['cluster issuer with capitals', { app_name: 'orders', cluster_issuer: 'LetsEncrypt' }, ['cluster_issuer', 'pattern']],
  ['Argo CD over plain http', { app_name: 'orders', argocd_url: 'http://argocd.example.com' }, ['argocd_url', 'pattern']],
  ['Argo CD with a trailing slash', { app_name: 'orders', argocd_url: 'https://argocd.example.com/' }, ['argocd_url', 'pattern']],
  ['no repository', { app_name: 'orders', repoUrl: undefined }, ['repoUrl', 'required']],
];

describe('the create form, validated by the scaffolder', () => {
  const backstage = useBackstage();

  for (const [label, overrides, expected] of CASES) {
    const verdict = expected === 'accepted' ? 'accepted' : `rejected: ${expected[0]} fails ${expected[1]}`;
    test(`${label} -> ${verdict}`, async () => {
      const { api } = backstage();
      await waitForTemplate(api);
      const values = await formValues(api, { app_env: 'dev', ...overrides });
      for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete values[key];
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
        e.name === 'required' ? `${e.argument}:required` : `${e.property.replace(/^instance\./, '')}:${e.name}`,
      );
      assert.ok(named.includes(`${field}:${rule}`), `expected ${field}:${rule}, the scaffolder said ${named.join(', ')}`);
    });
  }
});
