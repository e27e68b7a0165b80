// The embedded backend's REST API, as Backstage's frontend calls it: the catalog and the scaffolder.
import type { Entity } from '@backstage/catalog-model';

export interface TaskEvent {
  id: number;
  type: 'log' | 'completion' | 'cancelled' | 'recovered';
  body: { message: string; stepId?: string; status?: string; output?: Record<string, unknown> };
}

export interface TaskResult {
  status: string;
  output: Record<string, any>;
  events: TaskEvent[];
}

/** jsonschema's error, as the scaffolder returns it for a form value it rejects. */
export interface ValidationError {
  property: string;
  message: string;
  stack: string;
  name: string;
  argument: unknown;
}

export class ValidationFailed extends Error {
  constructor(readonly errors: ValidationError[]) {
    super(`Backstage rejected the values:\n${errors.map(e => `  - ${e.stack}`).join('\n')}`);
  }
}

export class BackstageApi {
  constructor(readonly baseUrl: string) {}

  async request<T>(method: string, route: string, body?: unknown): Promise<{ status: number; json: T }> {
    const res = await fetch(`${this.baseUrl}/api/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  async get<T>(route: string): Promise<T> {
    const { status, json } = await this.request<T>('GET', route);
    if (status !== 200) throw new Error(`GET ${route}: ${status} ${JSON.stringify(json)}`);
    return json;
  }

  /** An entity once the catalog has ingested it, or undefined if it has not within the timeout. */
  async waitForEntity(ref: string, timeoutMs = 60_000): Promise<Entity | undefined> {
    const [kind, rest] = ref.split(':');
    const [namespace, name] = rest.split('/');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, json } = await this.request<Entity>(
        'GET',
        `catalog/entities/by-name/${kind}/${namespace}/${name}`,
      );
      if (status === 200) return json;
      if (Date.now() > deadline) return undefined;
      await sleep(250);
    }
  }

  async entities(filter: string): Promise<Entity[]> {
    return this.get<Entity[]>(`catalog/entities?filter=${encodeURIComponent(filter)}`);
  }

  /** Every processing error the catalog holds: on entities it failed to process or has not stitched. */
  async processingErrors(): Promise<string[]> {
    const errors: string[] = [];
    for (const reason of ['failed', 'pending']) {
      const { entities } = await this.get<{ entities: any[] }>(`catalog/entities/unprocessed/${reason}`);
      for (const entity of entities) {
        const ref =
          entity.entity_ref ?? `${entity.unprocessed_entity?.kind}:${entity.unprocessed_entity?.metadata?.name}`;
        for (const error of entity.errors ?? []) errors.push(`${ref}: ${error.message}`);
      }
    }
    return errors;
  }

  parameterSchema(templateRef: string) {
    const [kind, rest] = templateRef.split(':');
    const [namespace, name] = rest.split('/');
    return this.get<{ title: string; steps: { title: string; schema: any }[] }>(
      `scaffolder/v2/templates/${namespace}/${kind}/${name}/parameter-schema`,
    );
  }

  actions() {
    return this.get<{ id: string; schema?: { input?: unknown } }[]>('scaffolder/v2/actions');
  }

  /** Submits the values as the create form does; the scaffolder validates them server-side. */
  async createTask(templateRef: string, values: Record<string, unknown>): Promise<string> {
    const { status, json } = await this.request<any>('POST', 'scaffolder/v2/tasks', { templateRef, values });
    if (status === 400 && Array.isArray(json?.errors)) throw new ValidationFailed(json.errors);
    if (status !== 201) throw new Error(`POST scaffolder/v2/tasks: ${status} ${JSON.stringify(json)}`);
    return json.id;
  }

  /** Follows a task's event log until it ends, handing each event to onEvent as it arrives. */
  async followTask(taskId: string, onEvent: (event: TaskEvent) => void = () => {}): Promise<TaskResult> {
    const events: TaskEvent[] = [];
    for (let after: number | undefined; ;) {
      const batch = await this.get<TaskEvent[]>(
        `scaffolder/v2/tasks/${taskId}/events${after === undefined ? '' : `?after=${after}`}`,
      );
      for (const event of batch) {
        events.push(event);
        onEvent(event);
        after = event.id;
      }
      const end = batch.find(e => e.type === 'completion' || e.type === 'cancelled');
      if (end) {
        const task = await this.get<{ status: string }>(`scaffolder/v2/tasks/${taskId}`);
        return { status: task.status, output: (end.body.output ?? {}) as Record<string, any>, events };
      }
      await sleep(200);
    }
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
