// The template repository this tooling belongs to: its root (template.yaml, skeleton/, releases.json) and the
// catalog reference its Template entity has once a catalog ingests catalog-info.yaml.
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const TEMPLATE_REF = 'template:default/koa-service';
