// Client-mode commands: apply, get, describe, cancel, delete (logs: logs.ts) — the same KilnClient, whether
// it talks to a server over HTTP or to an in-process kiln.
import { stringify } from 'yaml';
import type { KObject, Condition } from '../api/meta.ts';
import { findKind, KINDS } from '../api/registry.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import { loadFile } from './files.ts';
import type { FieldValidation } from '../api/prepare.ts';
import { duration } from './duration.ts';
import type { Writers } from './reporter.ts';
import { runArg } from './logs.ts';
import { taskRunsSection } from './describe-runs.ts';
import { byTime, eventRow, EVENT_HEAD } from './events.ts';

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name';

/** Resolves a kind as the user typed it (`tr`, `taskruns`, `PipelineRun`…) or fails naming the kinds. */
export function kindArg(kind: string): string {
  const k = findKind(kind);
  if (!k) throw new CliError(EXIT.invalid, `unknown kind "${kind}"`, [`kinds: ${KINDS.map((x) => `${x.plural}${x.shortNames.length ? ` (${x.shortNames.join(', ')})` : ''}`).join(', ')}`]);
  return k.kind;
}

function succeeded(o: KObject): Condition | undefined {
  return (o.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === 'Succeeded');
}

function age(iso: string | undefined, now: Date): string {
  if (!iso) return '<unknown>';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Columns as kubectl prints them for kiln's kinds (runs: SUCCEEDED, REASON, STARTTIME, COMPLETIONTIME). */
export function table(items: KObject[], wide: boolean, now = new Date()): string[] {
  if (!items.length) return [];
  const special = SPECIAL_COLUMNS[items[0].kind];
  if (special) return align(special.head, items.map((o) => special.row(o, now)));
  const isRun = items[0].kind === 'TaskRun' || items[0].kind === 'PipelineRun';
  const head = isRun ? ['NAME', 'SUCCEEDED', 'REASON', 'STARTTIME', 'COMPLETIONTIME'] : ['NAME', 'AGE'];
  if (wide) head.push(...(isRun ? ['DURATION', 'MESSAGE'] : ['NAMESPACE']));
  const rows = items.map((o) => {
    const st = o.status as { startTime?: string; completionTime?: string } | undefined;
    const c = succeeded(o);
    const row = isRun
      ? [o.metadata.name ?? '', c?.status ?? 'Unknown', c?.reason ?? '', age(st?.startTime, now), st?.completionTime ? age(st.completionTime, now) : '']
      : [o.metadata.name ?? '', age(o.metadata.creationTimestamp, now)];
    if (wide) row.push(...(isRun ? [duration(st?.startTime, st?.completionTime), c?.message ?? ''] : [o.metadata.namespace ?? '']));
    return row;
  });
  return align(head, rows);
}

function align(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join('   ').trimEnd());
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const field = (o: unknown, k: string): unknown => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);

/** A CDEvent outbox entry's delivery: each sink's state (Pending until it has one). */
function deliveryState(o: KObject): string {
  const sinks = field(o.status, 'sinks');
  const states = Array.isArray(sinks) ? sinks.map((x) => `${text(field(x, 'state'))}${field(x, 'lastError') ? ` (${text(field(x, 'lastError'))})` : ''}`) : [];
  return states.join(', ') || 'Pending';
}

/** Kinds printed with columns of their own: Events (runs' and trigger records), EventListeners, CDEvents (the outbox). */
const SPECIAL_COLUMNS: Record<string, { head: string[]; row(o: KObject, now: Date): string[] }> = {
  CDEvent: {
    head: ['NAME', 'TYPE', 'SUBJECT', 'FROM', 'DELIVERY', 'AGE'],
    row: (o, now) => [
      o.metadata.name ?? '', o.metadata.labels?.['cdevents.kiln.dev/type'] ?? '', text(field(field(field(o.spec, 'event'), 'subject'), 'id')),
      text(field(o.spec, 'run')), deliveryState(o), age(o.metadata.creationTimestamp, now),
    ],
  },
  Event: { head: EVENT_HEAD, row: (o, now) => eventRow(o, (iso) => age(iso, now)) },
  EventListener: {
    head: ['NAME', 'ADDRESS', 'READY', 'AGE'],
    row: (o, now) => {
      const ready = (o.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === 'Ready');
      return [o.metadata.name ?? '', text(field(field(o.status, 'address'), 'url')), ready?.status ?? 'Unknown', age(o.metadata.creationTimestamp, now)];
    },
  },
};

/** Prints objects in a format: table/wide, yaml, json (a List for several), name. */
export function render(items: KObject[], format: OutputFormat, single: boolean): string {
  switch (format) {
    case 'json': return JSON.stringify(single ? items[0] : { apiVersion: 'v1', kind: 'List', items }, null, 2);
    case 'yaml': return stringify(single ? items[0] : { apiVersion: 'v1', kind: 'List', items }).trimEnd();
    case 'name': return items.map((o) => `${o.kind.toLowerCase()}.${findKind(o.kind)?.group || 'core'}/${o.metadata.name}`).join('\n');
    default: return table(items, format === 'wide').join('\n');
  }
}

/** `kiln describe`: the object, then its conditions and (for runs) its children and steps. */
export function describe(o: KObject): string {
  const st = (o.status ?? {}) as { conditions?: Condition[]; startTime?: string; completionTime?: string; steps?: Array<{ name: string; terminated?: { exitCode: number; reason?: string }; terminationReason?: string }>; childReferences?: Array<{ name: string; pipelineTaskName: string; kind?: string }>; results?: Array<{ name: string; value: unknown }>; skippedTasks?: Array<{ name: string; reason: string }> };
  const lines = [
    `Name:         ${o.metadata.name}`,
    `Namespace:    ${o.metadata.namespace ?? ''}`,
    `Kind:         ${o.kind} (${o.apiVersion})`,
    `Labels:       ${Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '<none>'}`,
    `Created:      ${o.metadata.creationTimestamp ?? ''}`,
  ];
  if (st.startTime) lines.push(`Started:      ${st.startTime}`, `Duration:     ${duration(st.startTime, st.completionTime ?? new Date().toISOString())}`);
  for (const c of st.conditions ?? []) lines.push(`Status:       ${c.type}=${c.status} (${c.reason ?? ''}): ${c.message ?? ''}`);
  if (st.steps?.length) {
    lines.push('Steps:');
    for (const s of st.steps) lines.push(`  ${s.name}: ${s.terminationReason ?? (s.terminated ? s.terminated.reason : 'running')}${s.terminated ? ` (exit ${s.terminated.exitCode})` : ''}`);
  }
  if (st.childReferences?.length) {
    lines.push('Tasks:');
    for (const c of st.childReferences) lines.push(`  ${c.pipelineTaskName}: ${c.kind ?? 'TaskRun'} ${c.name}`);
  }
  for (const s of st.skippedTasks ?? []) lines.push(`  ${s.name}: skipped (${s.reason})`);
  if (st.results?.length) {
    lines.push('Results:');
    for (const r of st.results) lines.push(`  ${r.name}: ${typeof r.value === 'string' ? r.value : JSON.stringify(r.value)}`);
  }
  if (!st.startTime && !st.conditions) lines.push('', stringify({ spec: o.spec ?? o['data'] ?? {} }).trimEnd());
  return lines.join('\n');
}

/** Newest first by creationTimestamp, then by name. */
function newestFirst(a: KObject, b: KObject): number {
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** A table's lines with a NAMESPACE column first (kubectl's -A). */
export function withNamespaces(items: KObject[], tableText: string): string {
  const ns = ['NAMESPACE', ...items.map((o) => o.metadata.namespace ?? '')];
  const width = Math.max(...ns.map((n) => n.length));
  return tableText.split('\n').map((l, i) => `${(ns[i] ?? '').padEnd(width)}   ${l}`).join('\n');
}

export interface RemoteDeps { client: () => Promise<KilnClient>; w: Writers }

/** `kiln apply -f FILE`: creates or updates every object in the file (unknown fields: `fieldValidation`, default errors). */
export async function applyCommand(file: string, namespace: string | undefined, deps: RemoteDeps, fieldValidation: FieldValidation = 'Strict'): Promise<number> {
  const { objects, warnings } = loadFile(file, { namespace, fieldValidation });
  for (const x of warnings) deps.w.err(`warning: ${x.file}:${x.line}:${x.col}: ${x.path}: ${x.message}`);
  const client = await deps.client();
  try {
    for (const o of objects) {
      const out = await client.apply(o.object);
      deps.w.out(`${out.kind.toLowerCase()}.${findKind(out.kind)?.group || 'core'}/${out.metadata.name} applied`);
    }
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** What `kiln get` lists beyond a kind: `-l/--selector` (label selector), `-A/--all-namespaces`. */
export interface GetFilter { selector?: string; allNamespaces?: boolean }

/** `kiln get KIND [NAME]`: one object, or a list newest first (like tkn; Events oldest first, as they happened), with NAMESPACE first for -A. */
export async function getCommand(kind: string, name: string | undefined, namespace: string, format: OutputFormat, deps: RemoteDeps, filter: GetFilter = {}): Promise<number> {
  const k = kindArg(kind);
  if (name && (filter.selector || filter.allNamespaces)) throw new CliError(EXIT.invalid, `kiln get ${kind} ${name}: a name cannot be combined with -l/--selector or -A/--all-namespaces`);
  const client = await deps.client();
  try {
    const items = name ? [await client.get(k, namespace, name)] : (await client.list(k, filter.allNamespaces ? undefined : namespace, filter.selector)).sort(k === 'Event' ? byTime : newestFirst);
    if (!items.length) {
      deps.w.err(filter.allNamespaces ? 'No resources found.' : `No resources found in ${namespace} namespace.`);
      return EXIT.ok;
    }
    const out = render(items, format, !!name);
    deps.w.out(filter.allNamespaces && (format === 'table' || format === 'wide') ? withNamespaces(items, out) : out);
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** `kiln describe KIND NAME`, or `--last`: the newest object of the kind. */
export async function describeCommand(kind: string, name: string | undefined, namespace: string, deps: RemoteDeps, last = false): Promise<number> {
  const k = kindArg(kind);
  const client = await deps.client();
  try {
    const o = await runArg(client, name, last, namespace, k);
    const trs = k === 'PipelineRun' ? await client.list('TaskRun', namespace, `tekton.dev/pipelineRun=${o.metadata.name}`) : [];
    deps.w.out([describe(o), ...taskRunsSection(o, trs)].join('\n'));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** `kiln cancel RUN`, or `--last`: the newest run (a PipelineRun or a TaskRun of none). */
export async function cancelCommand(runName: string | undefined, namespace: string, deps: RemoteDeps, last = false): Promise<number> {
  const client = await deps.client();
  try {
    const run = await runArg(client, runName, last, namespace);
    const { kind } = run;
    const name = run.metadata.name!;
    await client.cancel(kind, namespace, name, 'cancelled with kiln cancel');
    deps.w.out(`${kind.toLowerCase()} ${name} cancelled`);
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

export async function deleteCommand(kind: string, name: string, namespace: string, deps: RemoteDeps): Promise<number> {
  const k = kindArg(kind);
  const client = await deps.client();
  try {
    await client.delete(k, namespace, name);
    deps.w.out(`${k.toLowerCase()}.${findKind(k)?.group || 'core'} "${name}" deleted`);
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
