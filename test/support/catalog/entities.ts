// Catalog entities as the catalog checks them before ingesting: the policies its processing applies, then
// the kind's own validator.
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

const validators: Record<string, { check(entity: Entity): Promise<boolean> }> = {
  Component: componentEntityV1alpha1Validator,
  API: apiEntityV1alpha1Validator,
  Location: locationEntityV1alpha1Validator,
};
const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

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
