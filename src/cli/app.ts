// `kiln app …`: Argo CD Applications on a kiln server, as the argocd CLI shows and drives them —
// list, get, diff, sync (following the operation live), history, rollback, refresh, create, delete.
import type { KObject } from '../api/meta.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import type { RemoteDeps } from './remote.ts';

type Any = Record<string, any>;
const APP = 'Application';

function align(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

const src = (a: Any) => (a.spec?.sources?.[0] ?? a.spec?.source ?? {}) as Any;
const dest = (a: Any) => (a.spec?.destination ?? {}) as Any;

/** `argocd app list`'s table. */
export function appTable(apps: readonly KObject[]): string[] {
  const rows = [['NAME', 'CLUSTER', 'NAMESPACE', 'PROJECT', 'STATUS', 'HEALTH', 'SYNCPOLICY', 'CONDITIONS', 'REPO', 'PATH', 'TARGET']];
  for (const o of apps) {
    const a = o as Any;
    const conditions = (a.status?.conditions ?? []).map((c: Any) => c.type).join(',') || '<none>';
    rows.push([`${a.metadata.namespace}/${a.metadata.name}`, dest(a).server ?? dest(a).name ?? '', dest(a).namespace ?? '', a.spec?.project ?? 'default',
      a.status?.sync?.status ?? 'Unknown', a.status?.health?.status ?? 'Unknown', a.spec?.syncPolicy?.automated ? 'Auto' + (a.spec.syncPolicy.automated.prune ? '-Prune' : '') : 'Manual',
      conditions, src(a).repoURL ?? '', src(a).path ?? '', src(a).targetRevision ?? 'HEAD']);
  }
  return align(rows);
}

/** `argocd app get`'s summary and resource table. */
export function appDetail(o: KObject): string[] {
  const a = o as Any;
  const s = a.status ?? {};
  const lines = [
    `Name:               ${a.metadata.namespace}/${a.metadata.name}`,
    `Project:            ${a.spec?.project ?? 'default'}`,
    `Server:             ${dest(a).server ?? dest(a).name ?? ''}`,
    `Namespace:          ${dest(a).namespace ?? ''}`,
    `Repo:               ${src(a).repoURL ?? ''}`,
    `Target:             ${src(a).targetRevision ?? 'HEAD'}`,
    `Path:               ${src(a).path ?? ''}`,
    `SyncWindow:         Sync Allowed`,
    `Sync Policy:        ${a.spec?.syncPolicy?.automated ? `Automated${a.spec.syncPolicy.automated.prune ? ' (Prune)' : ''}` : 'Manual'}`,
    `Sync Status:        ${s.sync?.status ?? 'Unknown'}${s.sync?.revision ? ` to ${src(a).targetRevision ?? 'HEAD'} (${String(s.sync.revision).slice(0, 7)})` : ''}`,
    `Health Status:      ${s.health?.status ?? 'Unknown'}`,
  ];
  for (const c of s.conditions ?? []) lines.push(`${c.type}: ${c.message}`);
  const op = s.operationState;
  if (op) lines.push('', `Operation:          Sync`, `Sync Revision:      ${op.syncResult?.revision ?? ''}`, `Phase:              ${op.phase}`, `Start:              ${op.startedAt}`, `Finished:           ${op.finishedAt ?? ''}`, `Message:            ${op.message ?? ''}`);
  const resources = s.resources ?? [];
  if (resources.length) {
    lines.push('');
    lines.push(...align([['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'HOOK', 'MESSAGE'],
      ...resources.map((r: Any) => [r.group ?? '', r.kind, r.namespace ?? '', r.name, r.status ?? '', r.health?.status ?? '', r.hook ? 'yes' : '', r.requiresPruning ? 'ignored (requires pruning)' : r.health?.message ?? ''])]));
  }
  return lines;
}

async function client(deps: RemoteDeps): Promise<KilnClient> {
  return deps.client();
}

async function patchApp(c: KilnClient, ns: string, name: string, patch: Any): Promise<KObject> {
  if (!c.patch) throw new CliError(EXIT.unsupported, 'this connection cannot patch objects (a kiln server is needed)');
  return c.patch(APP, ns, name, patch);
}

export async function appList(ns: string | undefined, deps: RemoteDeps): Promise<number> {
  const c = await client(deps);
  try {
    const apps = await c.list(APP, ns);
    if (apps.length === 0) deps.w.err('No applications found');
    else for (const l of appTable(apps)) deps.w.out(l);
    return EXIT.ok;
  } finally { await c.close(); }
}

export async function appGet(ns: string, name: string, opts: { refresh?: boolean; hardRefresh?: boolean; output?: string }, deps: RemoteDeps): Promise<number> {
  const c = await client(deps);
  try {
    let a = await c.get(APP, ns, name);
    if (opts.refresh || opts.hardRefresh) a = await refreshAndWait(c, ns, name, opts.hardRefresh ? 'hard' : 'normal');
    if (opts.output === 'json') deps.w.out(JSON.stringify(a, null, 2));
    else for (const l of appDetail(a)) deps.w.out(l);
    return EXIT.ok;
  } finally { await c.close(); }
}

async function refreshAndWait(c: KilnClient, ns: string, name: string, kind: 'normal' | 'hard'): Promise<KObject> {
  const before = ((await c.get(APP, ns, name)) as Any).status?.reconciledAt ?? '';
  await patchApp(c, ns, name, { metadata: { annotations: { 'argocd.argoproj.io/refresh': kind } } });
  for (let i = 0; i < 300; i++) {
    const a = (await c.get(APP, ns, name)) as Any;
    if ((a.status?.reconciledAt ?? '') > before && !a.metadata.annotations?.['argocd.argoproj.io/refresh']) return a as KObject;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CliError(EXIT.failed, `application ${name} was not refreshed within 30s`);
}

export async function appRefresh(ns: string, name: string, hard: boolean, deps: RemoteDeps): Promise<number> {
  const c = await client(deps);
  try {
    const a = await refreshAndWait(c, ns, name, hard ? 'hard' : 'normal');
    for (const l of appDetail(a)) deps.w.out(l);
    return EXIT.ok;
  } finally { await c.close(); }
}

/** `argocd app diff`: the diff of every OutOfSync resource; exit 1 when there is one (as argocd). */
export async function appDiff(ns: string, name: string, refresh: boolean, deps: RemoteDeps): Promise<number> {
  const c = await client(deps);
  try {
    const a = (refresh ? await refreshAndWait(c, ns, name, 'normal') : await c.get(APP, ns, name)) as Any;
    let differs = false;
    for (const r of a.status?.resources ?? []) {
      if (r.status !== 'OutOfSync') continue;
      differs = true;
      deps.w.out(`===== ${r.group ?? ''}/${r.kind} ${r.namespace ?? ''}/${r.name} ======`);
      deps.w.out(r.requiresPruning ? '(to be pruned: not in Git)' : String(r.diff ?? '(missing: not live yet)').trimEnd());
    }
    return differs ? EXIT.failed : EXIT.ok;
  } finally { await c.close(); }
}

export interface SyncFlags { prune?: boolean; dryRun?: boolean; revision?: string; resource?: string[]; timeout?: number; async?: boolean }

/** `--resource GROUP:KIND:NAME` or `GROUP:KIND:NAMESPACE/NAME`. */
export function parseResource(spec: string): { group: string; kind: string; name: string; namespace?: string } {
  const parts = spec.split(':');
  if (parts.length !== 3 || !parts[1] || !parts[2]) throw new CliError(EXIT.invalid, `--resource ${spec}: expected GROUP:KIND:NAME (GROUP may be empty)`);
  const [ns, n] = parts[2].includes('/') ? parts[2].split('/', 2) : [undefined, parts[2]];
  return { group: parts[0], kind: parts[1], name: n, ...(ns ? { namespace: ns } : {}) };
}

async function follow(c: KilnClient, ns: string, name: string, previous: string | undefined, deps: RemoteDeps, timeoutMs: number): Promise<Any> {
  const seen = new Map<string, string>();
  const end = Date.now() + timeoutMs;
  for (;;) {
    const a = (await c.get(APP, ns, name)) as Any;
    const op = a.status?.operationState;
    // the operation asked for is the one that started after the request was taken (`.operation` cleared)
    if (op && op.startedAt !== previous && !a.operation) {
      for (const r of op.syncResult?.resources ?? []) {
        const key = `${r.group ?? ''}/${r.kind}/${r.namespace ?? ''}/${r.name}/${r.syncPhase ?? ''}`;
        const line = `${r.syncPhase ?? 'Sync'}  ${r.kind}  ${r.namespace ? `${r.namespace}/` : ''}${r.name}  ${r.status ?? ''}${r.hookPhase ? ` ${r.hookPhase}` : ''}  ${r.message ?? ''}`.trimEnd();
        if (seen.get(key) !== line) { seen.set(key, line); deps.w.out(line); }
      }
      if (op.phase !== 'Running' && op.phase !== 'Terminating') return a;
    }
    if (Date.now() > end) throw new CliError(EXIT.failed, `application ${name}: the sync did not finish within ${Math.round(timeoutMs / 1000)}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function finish(a: Any, deps: RemoteDeps): number {
  const op = a.status.operationState;
  deps.w.out(`Phase: ${op.phase}`);
  deps.w.out(`Message: ${op.message ?? ''}`);
  return op.phase === 'Succeeded' ? EXIT.ok : EXIT.failed;
}

async function startOperation(c: KilnClient, ns: string, name: string, sync: Any, deps: RemoteDeps, flags: SyncFlags): Promise<number> {
  const previous = ((await c.get(APP, ns, name)) as Any).status?.operationState?.startedAt as string | undefined;
  await patchApp(c, ns, name, { operation: { sync, initiatedBy: { username: process.env.USER || 'kiln' } } });
  if (flags.async) return EXIT.ok;
  return finish(await follow(c, ns, name, previous, deps, (flags.timeout ?? 300) * 1000), deps);
}

export async function appSync(ns: string, name: string, flags: SyncFlags, deps: RemoteDeps): Promise<number> {
  const resources = (flags.resource ?? []).map(parseResource);
  const c = await client(deps);
  try {
    const a = (await c.get(APP, ns, name)) as Any;
    if (a.status?.operationState?.phase === 'Running') throw new CliError(EXIT.failed, `another operation is already in progress on ${name}`);
    const sync: Any = { prune: !!flags.prune, dryRun: !!flags.dryRun };
    if (flags.revision) sync.revision = flags.revision;
    if (resources.length) sync.resources = resources;
    return await startOperation(c, ns, name, sync, deps, flags);
  } finally { await c.close(); }
}

export async function appHistory(ns: string, name: string, deps: RemoteDeps): Promise<number> {
  const c = await client(deps);
  try {
    const a = (await c.get(APP, ns, name)) as Any;
    const h = a.status?.history ?? [];
    if (h.length === 0) { deps.w.err(`${name} has no sync history`); return EXIT.ok; }
    for (const l of align([['ID', 'DATE', 'REVISION'], ...h.map((e: Any) => [String(e.id), e.deployedAt, `${e.source?.targetRevision ?? 'HEAD'} (${e.revision})`])])) deps.w.out(l);
    return EXIT.ok;
  } finally { await c.close(); }
}

export async function appRollback(ns: string, name: string, id: string | undefined, flags: SyncFlags, deps: RemoteDeps): Promise<number> {
  const c = await client(deps);
  try {
    const a = (await c.get(APP, ns, name)) as Any;
    if (a.spec?.syncPolicy?.automated) throw new CliError(EXIT.failed, 'rollback cannot be initiated when auto-sync is enabled');
    const h: Any[] = a.status?.history ?? [];
    const entry = id === undefined ? h[h.length - 2] : h.find((e) => String(e.id) === id);
    if (!entry) throw new CliError(EXIT.failed, id === undefined ? `application ${name} has no previous deployment to roll back to` : `application ${name} does not have deployment with id ${id}`);
    return await startOperation(c, ns, name, { revision: entry.revision, prune: !!flags.prune, dryRun: !!flags.dryRun, ...(entry.source ? { source: entry.source } : {}) }, deps, flags);
  } finally { await c.close(); }
}

export interface CreateFlags {
  repo: string; path?: string; revision?: string; destServer?: string; destName?: string; destNamespace?: string; project?: string;
  syncPolicy?: string; selfHeal?: boolean; autoPrune?: boolean; syncOption?: string[];
}

export async function appCreate(ns: string, name: string, f: CreateFlags, deps: RemoteDeps): Promise<number> {
  if (!f.destServer && !f.destName) throw new CliError(EXIT.invalid, '--dest-server or --dest-name is required');
  if (f.syncPolicy && !['automated', 'auto', 'automatic', 'none', 'manual'].includes(f.syncPolicy)) throw new CliError(EXIT.invalid, `--sync-policy ${f.syncPolicy}: expected automated or none`);
  const automated = f.syncPolicy && !['none', 'manual'].includes(f.syncPolicy);
  const spec: Any = {
    project: f.project ?? 'default',
    source: { repoURL: f.repo, ...(f.path ? { path: f.path } : {}), targetRevision: f.revision ?? 'HEAD' },
    destination: { ...(f.destServer ? { server: f.destServer } : { name: f.destName }), ...(f.destNamespace ? { namespace: f.destNamespace } : {}) },
  };
  if (automated || f.syncOption?.length) spec.syncPolicy = { ...(automated ? { automated: { prune: !!f.autoPrune, selfHeal: !!f.selfHeal } } : {}), ...(f.syncOption?.length ? { syncOptions: f.syncOption } : {}) };
  const c = await client(deps);
  try {
    await c.create({ apiVersion: 'argoproj.io/v1alpha1', kind: APP, metadata: { name, namespace: ns }, spec } as KObject);
    deps.w.out(`application '${name}' created`);
    return EXIT.ok;
  } finally { await c.close(); }
}

export async function appDelete(ns: string, name: string, deps: RemoteDeps): Promise<number> {
  const c = await client(deps);
  try {
    await c.delete(APP, ns, name);
    deps.w.out(`application '${name}' deleted`);
    return EXIT.ok;
  } finally { await c.close(); }
}
