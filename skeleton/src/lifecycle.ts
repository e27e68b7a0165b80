/** Shared between the shutdown sequence (writer) and the routes and middleware (readers). */
export interface Lifecycle {
  stopping: boolean;
}

export function createLifecycle(): Lifecycle {
  return { stopping: false };
}
