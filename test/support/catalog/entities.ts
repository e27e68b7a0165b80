// Catalog entities: read from a repository's catalog-info.yaml, and checked as the catalog checks them before
// ingesting: the policies its processing applies, then the kind's own validator.
import fs from 'node:fs';
import path from 'node:path';
import {
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  locationEntityV1alpha1Validator,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  type Entity,
} from '@backstage/catalog-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { parseAllDocuments } from 'yaml';

const validators: Partial<Record<string, { check(entity: Entity): Promise<boolean> }>> = {
  Component: componentEntityV1alpha1Validator,
  API: apiEntityV1alpha1Validator,
  Location: locationEntityV1alpha1Validator,
  Template: templateEntityV1beta3Validator,
};
const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

/**
 * The entities of the repository at REPO_DIR, in the order catalog-info.yaml lists them. Typed on trust, as
 * the catalog reads them: entityProblems says whether each one is an entity the catalog takes.
 */
export function catalogEntities(repoDir: string): Entity[] {
  const text = fs.readFileSync(path.join(repoDir, 'catalog-info.yaml'), 'utf8');
  return parseAllDocuments(text).map(document => document.toJS() as Entity);
}

/** Why the catalog would refuse the entity; [] when it would take it. */
export async function entityProblems(entity: Entity): Promise<string[]> {
  try {
    await policies.enforce(structuredClone(entity));
    const validator = validators[entity.kind];
    if (!validator) return [`no validator for kind ${entity.kind}`];
    return (await validator.check(entity)) ? [] : [`the ${entity.kind} validator refuses it`];
  } catch (error) {
    return [(error as Error).message];
  }
}
