// The labels Backstage's Kubernetes plugin selects a component's objects by, read from its catalog entity.
import { catalogEntities } from './entities';

export function catalogSelector(repoDir: string): Record<string, string> {
  const annotations = catalogEntities(repoDir).at(0)?.metadata.annotations ?? {};
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
