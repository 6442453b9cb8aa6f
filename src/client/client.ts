// The one client interface the CLI, the dashboard and tests speak to. Two implementations:
// in-process (built by main.ts, used by one-shot commands like `kiln run`) and HTTP (a server).
import type { KObject } from '../api/meta.ts';

export interface ClientWatchEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KObject }

export interface ClientWatch extends AsyncIterable<ClientWatchEvent> {
  stop(): void;
}

/** One line of a step's log. */
export interface LogLine {
  /** the TaskRun the step belongs to */
  taskRun: string;
  /** the step's status name */
  step: string;
  line: string;
  /** when the line reached kiln (RFC 3339, nanosecond digits), when asked with `timestamps` */
  time?: string;
}

export interface LogOptions {
  /** keep reading until the run finishes */
  follow?: boolean;
  signal?: AbortSignal;
  /** give each line its time (default false) */
  timestamps?: boolean;
}

/** What one trigger of a listener did (or would do) with an event. */
export interface TriggerTestOutcome {
  trigger: string;
  id: string;
  outcome: 'accepted' | 'rejected' | 'failed';
  message: string;
  params?: Array<{ name: string; value: string }>;
  resources?: KObject[];
}

export interface TriggerTestResult { eventID: string; outcomes: TriggerTestOutcome[] }

/** An event to try against a listener: the raw body and the headers it came with. */
export interface TestEvent { body: string; headers: Record<string, string | string[]> }

export interface KilnClient {
  /** create, or replace the spec of an existing object of the same name */
  apply(obj: KObject): Promise<KObject>;
  create(obj: KObject): Promise<KObject>;
  get(kind: string, namespace: string, name: string): Promise<KObject>;
  list(kind: string, namespace?: string, labelSelector?: string): Promise<KObject[]>;
  watch(kind: string, namespace?: string, labelSelector?: string): ClientWatch;
  delete(kind: string, namespace: string, name: string): Promise<void>;
  /** a JSON merge patch of the object (servers only) */
  patch?(kind: string, namespace: string, name: string, mergePatch: Record<string, unknown>): Promise<KObject>;
  /** sets spec.status to the kind's cancel value */
  cancel(kind: string, namespace: string, name: string, message?: string): Promise<void>;
  /** the log lines of a TaskRun's steps, in step order */
  logs(namespace: string, taskRun: string, opts?: LogOptions): AsyncIterable<LogLine>;
  /** runs an event through a listener's triggers without creating anything (servers only) */
  triggerTest?(namespace: string, listener: string, event: TestEvent): Promise<TriggerTestResult>;
  /** one-line notes the engine wants the user to see once (e.g. a missing sandbox) */
  notices(): Promise<string[]>;
  /** the executor running steps in this process (`process`, `podman`); absent for a server's client */
  readonly executor?: string;
  close(): Promise<void>;
}
