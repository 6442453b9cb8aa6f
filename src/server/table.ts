// Server-side printing for `kubectl get`: objects → a meta.k8s.io/v1 Table, with the columns
// Tekton's CRDs declare (runs: Succeeded, Reason, StartTime, CompletionTime) and kubectl's for
// the core kinds. kubectl asks for it with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
import type { KindInfo } from '../api/registry.ts';
import type { KObject } from '../api/meta.ts';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

/** `None`, `Metadata` (default) or `Object`: what each row carries besides its cells. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface Column extends TableColumn {
  cell: (obj: KObject, now: Date) => unknown;
}

function col(name: string, type: TableColumn['type'], description: string, cell: Column['cell'], format = ''): Column {
  return { name, type, format, description, priority: 0, cell };
}

const NAME = col('Name', 'string', 'Name of the object', (o) => o.metadata.name ?? '', 'name');
const AGE = col('Age', 'date', 'Time since the object was created', (o, now) => age(o.metadata.creationTimestamp, now));

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function succeeded(o: KObject): Record<string, unknown> {
  const conds = record(o.status).conditions;
  return record(Array.isArray(conds) ? conds.find((c) => record(c).type === 'Succeeded') : undefined);
}

const RUN_COLUMNS: Column[] = [
  NAME,
  col('Succeeded', 'string', 'The Succeeded condition status', (o) => succeeded(o).status ?? ''),
  col('Reason', 'string', 'The Succeeded condition reason', (o) => succeeded(o).reason ?? ''),
  col('StartTime', 'date', 'When the run started', (o, now) => age(record(o.status).startTime, now)),
  col('CompletionTime', 'date', 'When the run finished', (o, now) => age(record(o.status).completionTime, now)),
];

const size = (v: unknown): number => Object.keys(record(v)).length;

function ready(o: KObject): Record<string, unknown> {
  const conds = record(o.status).conditions;
  return record(Array.isArray(conds) ? conds.find((c) => record(c).type === 'Ready') : undefined);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** kubectl's columns for core/v1 Events (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE). */
const EVENT_COLUMNS: Column[] = [
  col('Last Seen', 'date', 'When the event last happened', (o, now) => age(o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp, now)),
  col('Type', 'string', 'Normal or Warning', (o) => str(o.type)),
  col('Reason', 'string', 'Why the event happened', (o) => str(o.reason)),
  col('Object', 'string', 'The object the event is about', (o) => `${str(record(o.involvedObject).kind).toLowerCase()}/${str(record(o.involvedObject).name)}`),
  col('Message', 'string', 'What happened', (o) => str(o.message)),
];

/** kubectl's short names of access modes (RWO, ROX, RWX, RWOP), as `kubectl get pvc` prints them. */
const ACCESS_MODES: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** kubectl's columns for PersistentVolumeClaims (NAME, STATUS, VOLUME, CAPACITY, ACCESS MODES, STORAGECLASS, AGE). */
const PVC_COLUMNS: Column[] = [
  NAME,
  col('Status', 'string', 'The claim phase', (o) => str(record(o.status).phase) || 'Pending'),
  col('Volume', 'string', 'The volume bound to the claim', (o) => str(record(o.spec).volumeName)),
  col('Capacity', 'string', 'The storage the claim has', (o) => str(record(record(o.status).capacity).storage)),
  col('Access Modes', 'string', 'The access modes the claim has', (o) => {
    const modes = record(o.status).accessModes;
    return Array.isArray(modes) ? modes.map((m) => ACCESS_MODES[str(m)] ?? str(m)).join(',') : '';
  }),
  col('StorageClass', 'string', 'The storage class of the claim', (o) => str(record(o.spec).storageClassName)),
  AGE,
];

const COLUMNS: Record<string, Column[]> = {
  TaskRun: RUN_COLUMNS,
  PipelineRun: RUN_COLUMNS,
  ConfigMap: [NAME, col('Data', 'integer', 'Number of entries', (o) => size(o.data) + size(o.binaryData)), AGE],
  Secret: [
    NAME, col('Type', 'string', 'The secret type', (o) => (typeof o.type === 'string' ? o.type : 'Opaque')),
    col('Data', 'integer', 'Number of entries', (o) => size(o.data)), AGE,
  ],
  ServiceAccount: [NAME, col('Secrets', 'integer', 'Number of secrets', (o) => (Array.isArray(o.secrets) ? o.secrets.length : 0)), AGE],
  Namespace: [NAME, col('Status', 'string', 'The namespace phase', (o) => record(o.status).phase ?? 'Active'), AGE],
  Event: EVENT_COLUMNS,
  EventListener: [
    NAME, col('Address', 'string', 'Where the listener receives events', (o) => str(record(record(o.status).address).url)),
    col('Ready', 'string', 'The Ready condition status', (o) => str(ready(o).status)),
    col('Reason', 'string', 'The Ready condition reason', (o) => str(ready(o).reason)), AGE,
  ],
  PersistentVolumeClaim: PVC_COLUMNS,
};

/** The columns of a kind (Name and Age when it declares none). */
export function columnsOf(info: KindInfo): TableColumn[] {
  return (COLUMNS[info.kind] ?? [NAME, AGE]).map(({ cell: _cell, ...c }) => c);
}

/** Objects as a Table; `now` dates the Age-like cells. */
export function toTable(info: KindInfo, objects: readonly KObject[], opts: { now: Date; include?: IncludeObject; resourceVersion?: string; noHeaders?: boolean }): Table {
  const columns = COLUMNS[info.kind] ?? [NAME, AGE];
  const include = opts.include ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion === undefined ? {} : { resourceVersion: opts.resourceVersion },
    columnDefinitions: opts.noHeaders ? [] : columnsOf(info),
    rows: objects.map(function row(o): TableRow {
      const cells = columns.map((c) => c.cell(o, opts.now));
      if (include === 'None') return { cells };
      return { cells, object: include === 'Object' ? o : partialMetadata(o) };
    }),
  };
}

/** The `PartialObjectMetadata` form of an object (kind, apiVersion and metadata only). */
export function partialMetadata(o: KObject): { kind: 'PartialObjectMetadata'; apiVersion: 'meta.k8s.io/v1'; metadata: KObject['metadata'] } {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** The age of an RFC 3339 timestamp as kubectl prints it (`<unknown>` when absent, '' for non-strings). */
function age(ts: unknown, now: Date): string {
  if (typeof ts !== 'string' || ts === '') return '';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

/** Kubernetes' `duration.HumanDuration`: `45s`, `3m20s`, `2h5m`, `3d4h`, `2y30d`, … */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000); // as Go's int(d.Seconds()): -1.5s is -1s, within the tolerated skew
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}
