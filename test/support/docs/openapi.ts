// A rendered repository's API definition, openapi.yaml: its operations and its Error schema.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: { Error: { required: string[]; properties: Record<string, unknown> } } };
}

const readOpenApi = (repoDir: string) =>
  parseYaml(fs.readFileSync(path.join(repoDir, 'openapi.yaml'), 'utf8')) as OpenApi;

/** `GET /path` for every operation of openapi.yaml. */
export function openapiEndpoints(repoDir: string): string[] {
  return Object.entries(readOpenApi(repoDir).paths).flatMap(([route, ops]) =>
    Object.keys(ops).map(method => `${method.toUpperCase()} ${route}`),
  );
}

/** openapi.yaml's Error schema: its required fields and all its fields. */
export function openapiError(repoDir: string): { required: string[]; properties: string[] } {
  const schema = readOpenApi(repoDir).components.schemas.Error;
  return { required: schema.required, properties: Object.keys(schema.properties) };
}
