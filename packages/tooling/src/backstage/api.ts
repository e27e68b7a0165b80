// The embedded backend's REST API, as Backstage's frontend calls it: the catalog and the scaffolder. The
// responses are typed with the shapes Backstage's own clients give them.
import type { Entity } from '@backstage/catalog-model';
import type {
  ListActionsResponse,
  LogEvent,
  ScaffolderTask,
  ScaffolderTaskOutput,
  TemplateParameterSchema,
} from '@backstage/plugin-scaffolder-common';
import type { FormPage } from './form-errors';

/** The create form as the scaffolder serves it: its pages, each a JSON schema. */
export interface ParameterSchema extends Omit<TemplateParameterSchema, 'steps'> {
  steps: FormPage[];
}

/** An event of a task's log; the completion event carries the task's output. */
export interface TaskEvent extends Omit<LogEvent, 'body'> {
  body: LogEvent['body'] & { output?: ScaffolderTaskOutput };
}

export interface TaskResult {
  status: ScaffolderTask['status'];
  output: ScaffolderTaskOutput;
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

/** The scaffolder's answer to values it refuses: 400 with jsonschema's errors. */
export function validationErrors(status: number, json: unknown): ValidationError[] | undefined {
  const errors = status === 400 && typeof json === 'object' && json !== null && 'errors' in json && json.errors;
  return Array.isArray(errors) ? (errors as ValidationError[]) : undefined;
}

/** An entity the catalog has not (yet) made one, as its unprocessed-entities module lists it. */
interface UnprocessedEntity {
  entity_ref?: string;
  unprocessed_entity?: { kind?: string; metadata?: { name?: string } };
  errors?: { message: string }[];
}

/** How often the catalog and a task are asked again while they are not done: a round trip on loopback. */
const POLL_MS = 50;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** A catalog entity reference (kind:namespace/name) as the path the catalog and the scaffolder address it by. */
function refPath(ref: string): { kind: string; namespace: string; name: string } {
  const [, kind = '', namespace = '', name = ''] = /^([^:]+):([^/]+)\/(.+)$/.exec(ref) ?? [];
  return { kind, namespace, name };
}

export class BackstageApi {
  constructor(readonly baseUrl: string) {}

  /** One call; the response's JSON as it came (undefined for an empty body), for the caller to check. */
  async request(
    method: string,
    route: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.baseUrl}/api/${route}`, {
      method,
      signal,
      // Uncompressed: on loopback, gzip of a dry-run's megabytes costs both ends CPU and saves no time.
      headers: {
        'accept-encoding': 'identity',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** GET ROUTE, which must answer 200. */
  async get(route: string): Promise<unknown> {
    const { status, json } = await this.request('GET', route);
    if (status !== 200) throw new Error(`GET ${route}: ${status} ${JSON.stringify(json)}`);
    return json;
  }

  /** An entity once the catalog has ingested it, or undefined if it has not within the timeout. */
  async waitForEntity(ref: string, timeoutMs = 60_000): Promise<Entity | undefined> {
    const { kind, namespace, name } = refPath(ref);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, json } = await this.request('GET', `catalog/entities/by-name/${kind}/${namespace}/${name}`);
      if (status === 200) return json as Entity;
      if (Date.now() > deadline) return undefined;
      await sleep(POLL_MS);
    }
  }

  async entities(filter: string): Promise<Entity[]> {
    return (await this.get(`catalog/entities?filter=${encodeURIComponent(filter)}`)) as Entity[];
  }

  /** Every processing error the catalog holds: on entities it failed to process or has not stitched. */
  async processingErrors(): Promise<string[]> {
    const errors: string[] = [];
    for (const reason of ['failed', 'pending']) {
      const { entities } = (await this.get(`catalog/entities/unprocessed/${reason}`)) as {
        entities: UnprocessedEntity[];
      };
      for (const entity of entities) {
        const unprocessed = entity.unprocessed_entity;
        const ref = entity.entity_ref ?? `${unprocessed?.kind ?? '?'}:${unprocessed?.metadata?.name ?? '?'}`;
        for (const error of entity.errors ?? []) errors.push(`${ref}: ${error.message}`);
      }
    }
    return errors;
  }

  async parameterSchema(templateRef: string): Promise<ParameterSchema> {
    const { kind, namespace, name } = refPath(templateRef);
    const route = `scaffolder/v2/templates/${namespace}/${kind}/${name}/parameter-schema`;
    return (await this.get(route)) as ParameterSchema;
  }

  async actions(): Promise<ListActionsResponse> {
    return (await this.get('scaffolder/v2/actions')) as ListActionsResponse;
  }

  /** Submits the values as the create form does; the scaffolder validates them server-side. */
  async createTask(templateRef: string, values: Record<string, unknown>): Promise<string> {
    const { status, json } = await this.request('POST', 'scaffolder/v2/tasks', { templateRef, values });
    const refused = validationErrors(status, json);
    if (refused) throw new ValidationFailed(refused);
    if (status !== 201) throw new Error(`POST scaffolder/v2/tasks: ${status} ${JSON.stringify(json)}`);
    return (json as { id: string }).id;
  }

  /** Follows a task's event log until it ends, handing each event to onEvent as it arrives. */
  async followTask(taskId: string, onEvent: (event: TaskEvent) => void = () => undefined): Promise<TaskResult> {
    const events: TaskEvent[] = [];
    for (;;) {
      const batch = await this.nextEvents(taskId, events.at(-1)?.id);
      for (const event of batch) {
        events.push(event);
        onEvent(event);
      }
      const end = batch.find(e => e.type === 'completion' || e.type === 'cancelled');
      if (end) return { status: await this.taskStatus(taskId), output: end.body.output ?? {}, events };
    }
  }

  /**
   * The task's events after AFTER. The events route answers at once when there are some, and otherwise looks
   * again each second; the task's status, asked for every POLL_MS meanwhile, tells sooner that the last are in.
   */
  private async nextEvents(taskId: string, after: number | undefined): Promise<TaskEvent[]> {
    const route = `scaffolder/v2/tasks/${taskId}/events${after === undefined ? '' : `?after=${after}`}`;
    const waiting = new AbortController();
    const longPoll = this.request('GET', route, undefined, waiting.signal).then(
      ({ status, json }) => {
        if (status !== 200) throw new Error(`GET ${route}: ${status} ${JSON.stringify(json)}`);
        return json as TaskEvent[];
      },
      (error: unknown) => {
        if (waiting.signal.aborted) return undefined;
        throw error;
      },
    );
    const ended = (async () => {
      while (!waiting.signal.aborted && ['open', 'processing'].includes(await this.taskStatus(taskId)))
        await sleep(POLL_MS);
    })();
    try {
      const first = await Promise.race([longPoll, ended.then(() => undefined)]);
      if (first) return first;
      waiting.abort();
      return (await this.get(route)) as TaskEvent[];
    } finally {
      waiting.abort();
      await Promise.all([longPoll, ended]);
    }
  }

  private async taskStatus(taskId: string): Promise<ScaffolderTask['status']> {
    return ((await this.get(`scaffolder/v2/tasks/${taskId}`)) as ScaffolderTask).status;
  }
}
