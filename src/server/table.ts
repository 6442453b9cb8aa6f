// Server-side printing for `kubectl get`: objects → a meta.k8s.io/v1 Table, with the columns
// Tekton's CRDs declare (runs: Succeeded, Reason, StartTime, CompletionTime) and kubectl's for
// the core kinds. kubectl asks for it with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
import { evalJsonPath } from '../api/generic/jsonpath.ts';
import type { KindInfo, PrinterColumn } from '../api/registry.ts';
import type { KObject } from '../api/meta.ts';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
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

const num = (v: unknown, dflt = 0): number => (typeof v === 'number' ? v : dflt);
const spec = (o: KObject): Record<string, unknown> => record(o.spec);
const status = (o: KObject): Record<string, unknown> => record(o.status);
const replicasOf = (o: KObject): number => num(spec(o).replicas, 1);
const CREATED_AT = col('Created At', 'date', 'When the object was created', (o) => str(o.metadata.creationTimestamp));

/** `80/TCP,443:30443/TCP`: a Service's ports as kubectl prints them. */
function servicePorts(o: KObject): string {
  const ports = Array.isArray(spec(o).ports) ? (spec(o).ports as unknown[]).map(record) : [];
  if (!ports.length) return '<none>';
  return ports.map((p) => `${String(p.port ?? '')}${p.nodePort !== undefined ? `:${String(p.nodePort)}` : ''}/${str(p.protocol) || 'TCP'}`).join(',');
}

/** `1/2`: ready containers of a Pod out of all its containers. */
function podReady(o: KObject): string {
  const total = Array.isArray(spec(o).containers) ? (spec(o).containers as unknown[]).length : 0;
  const statuses = Array.isArray(status(o).containerStatuses) ? (status(o).containerStatuses as unknown[]).map(record) : [];
  return `${statuses.filter((c) => c.ready === true).length}/${total}`;
}

/** kubectl's columns of the built-in kinds kiln stores as they are (status as whoever writes it says). */
const GENERIC_COLUMNS: Record<string, Column[]> = {
  Deployment: [
    NAME, col('Ready', 'string', 'Ready replicas out of desired', (o) => `${num(status(o).readyReplicas)}/${replicasOf(o)}`),
    col('Up-to-date', 'integer', 'Replicas updated to the latest template', (o) => num(status(o).updatedReplicas)),
    col('Available', 'integer', 'Replicas available', (o) => num(status(o).availableReplicas)), AGE,
  ],
  StatefulSet: [NAME, col('Ready', 'string', 'Ready replicas out of desired', (o) => `${num(status(o).readyReplicas)}/${replicasOf(o)}`), AGE],
  ReplicaSet: [
    NAME, col('Desired', 'integer', 'Desired replicas', replicasOf), col('Current', 'integer', 'Current replicas', (o) => num(status(o).replicas)),
    col('Ready', 'integer', 'Ready replicas', (o) => num(status(o).readyReplicas)), AGE,
  ],
  DaemonSet: [
    NAME, col('Desired', 'integer', 'Nodes that should run the pod', (o) => num(status(o).desiredNumberScheduled)),
    col('Current', 'integer', 'Nodes running the pod', (o) => num(status(o).currentNumberScheduled)),
    col('Ready', 'integer', 'Nodes with the pod ready', (o) => num(status(o).numberReady)),
    col('Up-to-date', 'integer', 'Nodes running the latest pod', (o) => num(status(o).updatedNumberScheduled)),
    col('Available', 'integer', 'Nodes with the pod available', (o) => num(status(o).numberAvailable)), AGE,
  ],
  Service: [
    NAME, col('Type', 'string', 'The service type', (o) => str(spec(o).type) || 'ClusterIP'),
    col('Cluster-IP', 'string', 'The cluster IP', (o) => str(spec(o).clusterIP) || '<none>'),
    col('External-IP', 'string', 'External IPs', (o) => (Array.isArray(spec(o).externalIPs) ? (spec(o).externalIPs as unknown[]).join(',') : '') || '<none>'),
    col('Port(s)', 'string', 'The service ports', servicePorts), AGE,
  ],
  Pod: [
    NAME, col('Ready', 'string', 'Ready containers', podReady), col('Status', 'string', 'The pod phase', (o) => str(status(o).phase) || 'Pending'),
    col('Restarts', 'integer', 'Container restarts', (o) => (Array.isArray(status(o).containerStatuses) ? (status(o).containerStatuses as unknown[]).reduce<number>((n, c) => n + num(record(c).restartCount), 0) : 0)), AGE,
  ],
  Job: [NAME, col('Completions', 'string', 'Succeeded pods out of completions', (o) => `${num(status(o).succeeded)}/${num(spec(o).completions, 1)}`), AGE],
  CronJob: [
    NAME, col('Schedule', 'string', 'The cron schedule', (o) => str(spec(o).schedule)),
    col('Suspend', 'string', 'Whether the schedule is suspended', (o) => String(spec(o).suspend === true)),
    col('Active', 'integer', 'Jobs running', (o) => (Array.isArray(status(o).active) ? (status(o).active as unknown[]).length : 0)),
    col('Last Schedule', 'date', 'When a job was last scheduled', (o, now) => age(status(o).lastScheduleTime, now) || '<none>'), AGE,
  ],
  Ingress: [
    NAME, col('Class', 'string', 'The ingress class', (o) => str(spec(o).ingressClassName) || '<none>'),
    col('Hosts', 'string', 'The hosts of the rules', (o) => (Array.isArray(spec(o).rules) ? (spec(o).rules as unknown[]).map((r) => str(record(r).host) || '*').join(',') : '') || '*'),
    AGE,
  ],
  HorizontalPodAutoscaler: [
    NAME, col('Reference', 'string', 'The scaled object', (o) => `${str(record(spec(o).scaleTargetRef).kind)}/${str(record(spec(o).scaleTargetRef).name)}`),
    col('MinPods', 'integer', 'Lower replica limit', (o) => num(spec(o).minReplicas, 1)), col('MaxPods', 'integer', 'Upper replica limit', (o) => num(spec(o).maxReplicas)),
    col('Replicas', 'integer', 'Current replicas', (o) => num(status(o).currentReplicas)), AGE,
  ],
  PodDisruptionBudget: [
    NAME, col('Min Available', 'string', 'spec.minAvailable', (o) => String(spec(o).minAvailable ?? 'N/A')),
    col('Max Unavailable', 'string', 'spec.maxUnavailable', (o) => String(spec(o).maxUnavailable ?? 'N/A')),
    col('Allowed Disruptions', 'integer', 'Disruptions allowed now', (o) => num(status(o).disruptionsAllowed)), AGE,
  ],
  CustomResourceDefinition: [NAME, CREATED_AT],
  ClusterRole: [NAME, CREATED_AT],
  Role: [NAME, CREATED_AT],
  RoleBinding: [NAME, col('Role', 'string', 'The bound role', (o) => `${str(record(o.roleRef).kind)}/${str(record(o.roleRef).name)}`), AGE],
  ClusterRoleBinding: [NAME, col('Role', 'string', 'The bound role', (o) => `${str(record(o.roleRef).kind)}/${str(record(o.roleRef).name)}`), AGE],
};

/** A CRD's additionalPrinterColumns: the first value its JSONPath reaches (dates as ages, as kube-apiserver prints them). */
function printerColumn(c: PrinterColumn): Column {
  const column = col(c.name, c.type as TableColumn['type'], c.description ?? '', function cell(o, now) {
    const v = evalJsonPath(o, c.jsonPath)[0];
    if (v === undefined || v === null) return c.type === 'date' ? '<unknown>' : '';
    if (c.type === 'date') return age(v, now);
    return typeof v === 'object' ? JSON.stringify(v) : v;
  }, c.format ?? '');
  return { ...column, priority: c.priority ?? 0 };
}

/** The columns of a kind: a CRD's own (Name, then its printer columns), else those listed here, else Name and Age. */
function columnsFor(info: KindInfo): Column[] {
  if (info.schemas) return info.columns?.length ? [NAME, ...info.columns.map(printerColumn)] : [NAME, AGE];
  return (info.generic ? GENERIC_COLUMNS[info.kind] : COLUMNS[info.kind]) ?? [NAME, AGE];
}

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
  return columnsFor(info).map(({ cell: _cell, ...c }) => c);
}

/** Objects as a Table; `now` dates the Age-like cells. */
export function toTable(info: KindInfo, objects: readonly KObject[], opts: { now: Date; include?: IncludeObject; resourceVersion?: string; noHeaders?: boolean }): Table {
  const columns = columnsFor(info);
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
