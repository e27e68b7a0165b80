// environments.yaml as the one list of a generated repository's environments: what the template renders from
// it is what the repository's own scripts/environments.mjs writes; its check refuses a stale file, an
// environment without its values file or with another's, and a duplicate; the checks of the Argo CD manifests
// and the catalog each catch what they look for; and an environment added in a copy of a rendered dev start
// (one entry, its values file, `npm run environments`) passes the checks dev and prod pass.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../packages/tooling/src/template-repository';
import { CORNER_VARIANT_IDS, useRenderedVariants, type Variant } from './support/backstage/rendered';
import { catalogEntities } from './support/catalog/entities';
import { applicationsOf, OPTIONAL_FEATURES, renderEnvironment } from './support/chart/chart';
import { ofKind, schemaProblems, type KubeObject } from './support/chart/kube';
import { nameViolations, podSpecs, rbacViolations, restrictedViolations } from './support/chart/policy';
import { wiringProblems } from './support/chart/wiring';
import { openapiEndpoints } from './support/docs/openapi';
import {
  applicationProblems,
  appliedKinds,
  catalogProblems,
  environmentsOf,
  environmentsScript,
  hostOf,
  projectOf,
  projectProblems,
  serviceOf,
  type Environment,
  type Project,
} from './support/environments/environments';

const variant = useRenderedVariants();

// Copies live under the repository, so that their scripts find the `yaml` package as a generated repository's
// own node_modules would provide it.
const work = path.join(repoRoot, '.cache', `environments-${process.pid}`);
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});
let copies = 0;

/** A copy of a rendered repository, changed by CHANGE. */
function copyOf(from: Variant, change: (dir: string) => void = () => undefined): string {
  const dir = path.join(work, `${from.id}-${String(++copies)}`);
  fs.cpSync(from.dir, dir, { recursive: true, filter: source => path.basename(source) !== '.git' });
  change(dir);
  return dir;
}

function edit(dir: string, file: string, replace: (text: string) => string) {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  const changed = replace(text);
  assert.notEqual(changed, text, `the edit of ${file} changed nothing`);
  fs.writeFileSync(path.join(dir, file), changed);
}

/** An entry of environments.yaml for NAME, as a team adds one. */
const entry = (app: string, name: string) =>
  [
    `  - name: ${name}`,
    `    namespace: ${app}-${name}`,
    '    cluster: https://kubernetes.default.svc',
    '    prometheus: ""',
    '    soak: 2h',
    '    protected: false',
    '',
  ].join('\n');

/** The copy's values file for NAME: dev's, with its environment and host. */
function addValuesFile(dir: string, app: string, name: string) {
  const chart = path.join(dir, 'charts', app);
  const dev = fs.readFileSync(path.join(chart, 'values-dev.yaml'), 'utf8');
  const values = dev
    .replace(/^environment: dev$/m, `environment: ${name}`)
    .replaceAll(`${app}-dev.`, `${app}-${name}.`);
  assert.notEqual(values, dev);
  fs.writeFileSync(path.join(chart, `values-${name}.yaml`), values);
}

/** `npm run environments` in DIR, as a team runs it. */
function npmRunEnvironments(dir: string) {
  const result = spawnSync('npm', ['run', '--silent', 'environments'], { cwd: dir, encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
}

const check = (dir: string) => environmentsScript(dir).check(dir);
/** The paths of the repository's API (openapi.yaml). */
const apiPaths = (dir: string) => openapiEndpoints(dir).map(endpoint => endpoint.slice(endpoint.indexOf(' ') + 1));
const GENERATED = ['argocd/project.yaml', 'argocd/applications.yaml', 'catalog-info.yaml'];

describe('what the template renders is what environments.mjs writes', () => {
  for (const id of CORNER_VARIANT_IDS) {
    test(`${id}: argocd/ written again from environments.yaml is the rendered one, byte for byte`, () => {
      const rendered = variant(id);
      assert.deepEqual(check(rendered.dir), []);
      const dir = copyOf(rendered, d => {
        fs.rmSync(path.join(d, 'argocd'), { recursive: true });
      });
      assert.deepEqual(environmentsScript(dir).write(dir), ['argocd/project.yaml', 'argocd/applications.yaml']);
      for (const file of GENERATED) {
        const text = (root: string) => fs.readFileSync(path.join(root, file), 'utf8');
        assert.equal(text(dir), text(rendered.dir), file);
      }
    });
  }
});

describe('environments.mjs check refuses what is out of step (a copy of short-dev, broken once each)', () => {
  const cases: [string, (dir: string, from: Variant) => void, RegExp][] = [
    [
      'a stale Application',
      dir => {
        edit(dir, 'argocd/applications.yaml', text => text.replace('selfHeal: true', 'selfHeal: false'));
      },
      /^argocd\/applications\.yaml differs from what environments\.yaml gives: run npm run environments$/m,
    ],
    [
      'an environment without its values file',
      (dir, from) => {
        edit(dir, 'environments.yaml', text => text + entry(from.app_name, 'qa'));
      },
      /environments\[2\] \(qa\): charts\/ab\/values-qa\.yaml is missing/,
    ],
    [
      "a values file whose environment: is another's",
      dir => {
        edit(dir, 'charts/ab/values-prod.yaml', text => text.replace(/^environment: prod$/m, 'environment: dev'));
      },
      /charts\/ab\/values-prod\.yaml says environment: "dev", not "prod"/,
    ],
    [
      'a duplicate environment',
      (dir, from) => {
        edit(dir, 'environments.yaml', text => text + entry(from.app_name, 'dev'));
      },
      /two environments have the same name: dev/,
    ],
  ];
  for (const [what, change, reason] of cases) {
    test(what, () => {
      const from = variant('short-dev');
      const dir = copyOf(from, d => {
        change(d, from);
      });
      assert.match(check(dir).join('\n'), reason);
    });
  }
});

describe('the checks of the manifests and the catalog catch what they look for (short-dev, broken once each)', () => {
  const KINDS = [
    { group: '', kind: 'Service' },
    { group: 'apps', kind: 'Deployment' },
  ];
  const project = (change: (p: Project) => void): string[] => {
    const { dir } = variant('short-dev');
    const copy = structuredClone(projectOf(dir));
    copy.spec = { ...copy.spec, namespaceResourceWhitelist: KINDS };
    change(copy);
    return projectProblems(copy, serviceOf(variant('short-dev')), environmentsOf(dir), KINDS);
  };

  test('the AppProject, as rendered and with the chart kinds it allows, passes', () => {
    assert.deepEqual(
      project(() => undefined),
      [],
    );
  });
  test('a source other than this repository', () => {
    assert.match(project(p => p.spec.sourceRepos?.push('*')).join('\n'), /AppProject: sources/);
  });
  test('a destination other than the environments', () => {
    assert.match(
      project(p => p.spec.destinations?.push({ server: '*', namespace: '*' })).join('\n'),
      /AppProject: destinations/,
    );
  });
  test('a kind the chart does not render, and a kind it renders that the project lacks', () => {
    const problems = project(p => {
      p.spec = { ...p.spec, namespaceResourceWhitelist: [{ group: '', kind: 'Secret' }, ...KINDS.slice(1)] };
    }).join('\n');
    assert.match(problems, /allows kinds the chart never renders: \/Secret/);
    assert.match(problems, /renders kinds it does not allow: \/Service/);
  });
  test('a misspelt field (Argo CD would ignore it)', () => {
    const problems = project(p => {
      p.spec = { ...p.spec, ...{ sourceRepo: ['*'] } };
    });
    assert.match(problems.join('\n'), /unknown field \/spec\/sourceRepo\b/);
  });
  test('a cluster-wide kind besides Namespace', () => {
    const problems = project(p => {
      p.spec = { ...p.spec, clusterResourceWhitelist: [{ group: '*', kind: '*' }] };
    });
    assert.match(problems.join('\n'), /cluster-wide kinds \*\/\*/);
  });

  test("an Application deploying into another namespace, or cascading a protected environment's deletion", () => {
    const from = variant('short-dev');
    const envs = environmentsOf(from.dir);
    const [dev, prod] = applicationsOf(from).map(app => structuredClone(app));
    dev.spec.destination.namespace = 'kube-system';
    prod.metadata.finalizers = ['resources-finalizer.argocd.argoproj.io'];
    const service = serviceOf(from);
    assert.match(applicationProblems(from.dir, service, envs[0], dev).join('\n'), /^dev: destination/m);
    assert.match(applicationProblems(from.dir, service, envs[1], prod).join('\n'), /^prod: finalizers/m);
  });

  test("an environment's links missing from the catalog, and a single-environment annotation", () => {
    const from = variant('short-dev');
    const [component] = catalogEntities(from.dir);
    component.metadata.links = component.metadata.links?.filter(link => link.title !== 'Health (prod)');
    component.metadata.annotations = { ...component.metadata.annotations, 'argocd/app-name': 'ab-dev' };
    const envs = environmentsOf(from.dir);
    const problems = catalogProblems(
      component,
      serviceOf(from),
      envs,
      applicationsOf(from),
      env => hostOf(from.dir, env),
      apiPaths(from.dir),
    ).join('\n');
    assert.match(problems, /prod's Health link undefined/);
    assert.match(problems, /argocd\/app-name names one environment only/);
  });
});

describe('an environment added to a copy of a rendered dev start', () => {
  test('staging between dev and prod: one entry, its values file and npm run environments', () => {
    const from = variant('short-dev');
    const app = from.app_name;
    const dir = copyOf(from, d => {
      edit(d, 'environments.yaml', text => text.replace(/^ {2}- name: "prod"$/m, `${entry(app, 'staging')}$&`));
      addValuesFile(d, app, 'staging');
    });
    assert.match(check(dir).join('\n'), /argocd\/applications\.yaml differs/, 'stale before npm run environments');
    npmRunEnvironments(dir);
    assert.deepEqual(check(dir), []);

    const envs = environmentsOf(dir);
    assert.deepEqual(
      envs.map(env => env.name),
      ['dev', 'staging', 'prod'],
    );
    const service = serviceOf(from);
    const applications = applicationsOf({ dir });
    assert.deepEqual(
      applications.map(a => a.metadata.name),
      envs.map(env => `${app}-${env.name}`),
    );
    // Argo CD: every Application, and the project with the kinds the chart renders in every environment.
    assert.deepEqual(
      envs.flatMap((env, i) => applicationProblems(dir, service, env, applications[i])),
      [],
    );
    const rendered = applications.map(application => renderEnvironment(dir, application));
    const optional = renderEnvironment(dir, applications[1], OPTIONAL_FEATURES);
    const kinds = appliedKinds([...rendered.flatMap(r => r.objects), ...optional.objects]);
    assert.deepEqual(projectProblems(projectOf(dir), service, envs, kinds), []);

    // The chart, as Argo CD deploys staging: lint, schemas, names, Pod Security, RBAC, wiring.
    const staging = rendered[1];
    assert.equal(staging.lint.status, 0, staging.lint.output);
    assert.deepEqual(chartProblems(staging.objects, envs[1]), []);
    assert.deepEqual(optional.objects.flatMap(schemaProblems), [], 'with every optional feature on');
    // Staging as committed, before its first promotion: CI's lint passes, and nothing runs yet.
    const committed = renderEnvironment(dir, applications[1], [], false);
    assert.equal(committed.lint.status, 0, committed.lint.output);
    assert.deepEqual(ofKind(committed.objects, 'Deployment'), [], 'staging without an image');
    assert.equal(ofKind(staging.objects, 'Deployment').length, 1, 'staging delivered');

    // The catalog: staging's links, from its values file's host.
    const [component] = catalogEntities(dir);
    const host = (env: Environment) => `${app}-${env.name}.${String(from.values.ingress_domain)}`;
    assert.equal(hostOf(dir, envs[1]), host(envs[1]));
    assert.deepEqual(catalogProblems(component, service, envs, applications, host, apiPaths(dir)), []);
  });

  test('the longest name leaves no room for staging in pod names: refused with the reason', () => {
    const from = variant('long-dev');
    const dir = copyOf(from, d => {
      edit(d, 'environments.yaml', text => text + entry(from.app_name, 'staging'));
      addValuesFile(d, from.app_name, 'staging');
    });
    assert.match(check(dir).join('\n'), /-staging is too long for pod names: with this service's name, at most 5 /);
  });
});

/** What chart.test holds every environment's objects to, for one environment. */
function chartProblems(objects: KubeObject[], env: Environment): string[] {
  const serviceAccount = objects.find(o => o.kind === 'ServiceAccount')?.metadata.name ?? '';
  return [
    ...objects.flatMap(object => schemaProblems(object).map(p => `${object.kind} ${object.metadata.name}: ${p}`)),
    ...nameViolations(objects),
    ...podSpecs(objects).flatMap(({ owner, spec }) => restrictedViolations(owner, spec)),
    ...rbacViolations(objects, serviceAccount, env.namespace),
    ...wiringProblems(objects),
  ];
}
