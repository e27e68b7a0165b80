// The labels Backstage's Kubernetes plugin selects a component's objects by, read from its catalog entity.
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export function catalogSelector(repoDir: string): Record<string, string> {
  const entity = parseAllDocuments(fs.readFileSync(path.join(repoDir, 'catalog-info.yaml'), 'utf8'))[0].toJS();
  const annotations: Record<string, string> = entity.metadata.annotations ?? {};
  const selector = annotations['backstage.io/kubernetes-label-selector'];
  if (selector) {
    return Object.fromEntries(selector.split(',').map(term => term.split('=').map(s => s.trim()) as [string, string]));
  }
  const id = annotations['backstage.io/kubernetes-id'];
  if (id) return { 'backstage.io/kubernetes-id': id };
  throw new Error(
    'catalog-info.yaml has neither backstage.io/kubernetes-id nor backstage.io/kubernetes-label-selector',
  );
}
