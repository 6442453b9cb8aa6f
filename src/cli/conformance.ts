// `kiln conformance DIR`: runs every YAML file under DIR the way upstream CI judges it — create
// every object in a fresh namespace, judge by the FIRST TaskRun/PipelineRun's Succeeded condition.
// The file's other runs are followed to their end too (and stopped at the time limit) before the
// next file starts; the report line says when some of them failed.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { KObject } from '../api/meta.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import { replaceImages } from './conformance-images.ts';
import { loadFile } from './files.ts';
import { follow, isFinished, succeeded } from './follow.ts';
import type { Reporter } from './reporter.ts';

export type Verdict = 'PASS' | 'FAIL' | 'UNSUPPORTED';
export interface FileResult {
  file: string;
  verdict: Verdict;
  reason: string;
  message: string;
  durationMs: number;
  /** runs after the first (which alone decides the verdict) that did not succeed: `Kind/name (Reason)` */
  laterFailed?: string[];
  /** image references replaced by `--images` before the objects were created */
  imagesReplaced?: string[];
}

/**
 * The cluster of `--executor kubernetes`: what a file's Pods read there besides themselves. As the
 * same file applied to a cluster would give them, each file gets its namespace there and its
 * ConfigMaps and Secrets (the Pods' configMap and secret volumes name them); removed afterwards.
 */
export interface ConformanceCluster {
  prepare(namespace: string, objects: readonly KObject[]): Promise<void>;
  remove(namespace: string): Promise<void>;
  close(): void;
}

export interface ConformanceOptions {
  dir: string;
  jobs: number;
  timeoutMs: number;
  json: boolean;
  ratchet?: string;
  ratchetRoot?: string;
  /** also write a Markdown report here */
  report?: string;
  /** image references replaced before the objects are created (`--images FILE`) */
  images?: { file: string; map: ReadonlyMap<string, string> };
  client: () => Promise<KilnClient>;
  /** with --executor kubernetes: the cluster the Pods run in */
  cluster?: () => Promise<ConformanceCluster>;
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Every .yaml/.yml file under dir, sorted. */
export function yamlFiles(dir: string): string[] {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) throw new CliError(EXIT.invalid, `${dir}: no such directory`);
  if (st.isFile()) return [dir];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const silent: Reporter = {
  onNotice() {}, onRunStart() {}, onTaskRunUpdate() {}, onLog() {}, onRunEnd() {}, onAllEnd() {},
};

function slug(i: number, file: string): string {
  const base = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `c${i}-${base}`.slice(0, 50).replace(/-+$/, '');
}

/** How long the runs of a file get to stop once cancelled, before the next file starts anyway. */
const SETTLE_MS = 30_000;
const POLL_MS = 100;

async function runFile(client: KilnClient, file: string, index: number, timeoutMs: number, images?: ReadonlyMap<string, string>, cluster?: ConformanceCluster): Promise<Omit<FileResult, 'file'>> {
  const started = Date.now();
  const took = () => Date.now() - started;
  const namespace = slug(index, file);
  let objects;
  try {
    // upstream files may use fields newer than kiln's schema: warned about, not failed (fieldValidation Warn)
    objects = loadFile(file, { namespace, setAside: true, fieldValidation: 'Warn' }).objects.map((o) => o.object);
  } catch (e) {
    const ce = e as CliError;
    return { verdict: 'FAIL', reason: 'InvalidInput', message: [ce.message, ...(ce.details ?? [])].join('; '), durationMs: took() };
  }
  const replaced = images ? [...replaceImages(objects, images)] : [];
  const imagesNote = replaced.length ? { imagesReplaced: replaced } : {};
  const runs = objects.filter((o) => o.kind === 'TaskRun' || o.kind === 'PipelineRun');
  if (!runs.length) return { verdict: 'FAIL', reason: 'NoRun', message: 'the file has no TaskRun or PipelineRun', durationMs: took() };
  if (cluster) {
    try {
      await cluster.prepare(namespace, objects);
    } catch (e) {
      await cluster.remove(namespace).catch(() => undefined);
      return { verdict: 'FAIL', reason: 'ClusterError', message: `preparing namespace ${namespace} in the cluster: ${(e as Error).message}`, durationMs: took(), ...imagesNote };
    }
  }
  try {
    return await runObjects(client, namespace, objects, runs, timeoutMs, took, imagesNote);
  } finally {
    // the namespace goes with what was put there; a failure to remove it does not change the verdict
    await cluster?.remove(namespace).catch(() => undefined);
  }
}

async function runObjects(client: KilnClient, namespace: string, objects: KObject[], runs: KObject[], timeoutMs: number, took: () => number, imagesNote: { imagesReplaced?: string[] }): Promise<Omit<FileResult, 'file'>> {
  for (const o of objects) if (!runs.includes(o)) await client.apply(o);
  const created: KObject[] = [];
  for (const r of runs) created.push(await client.create(r));
  const first = created[0];
  // every run of the file is followed to its end (within the limit), so none outlives its file
  const f = follow(client, { namespace, runs: created.map((r) => ({ kind: r.kind, name: r.metadata.name! })), reporter: silent, logs: false });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const res = await Promise.race([f.wait(), timedOut]);
  clearTimeout(timer);
  if (res === 'timeout') f.stop();
  const ended = res === 'timeout' ? await current(client, created) : res;
  const firstEnded = isFinished(ended[0]) ? ended[0] : undefined;
  for (const [i, r] of created.entries()) {
    if (!isFinished(ended[i])) await client.cancel(r.kind, namespace, r.metadata.name!, 'conformance run over').catch(() => {});
  }
  await settle(client, namespace, SETTLE_MS);
  const later = laterFailures(await current(client, created.slice(1)));
  if (!firstEnded) {
    return { verdict: 'FAIL', reason: 'Timeout', message: `${first.kind} ${first.metadata.name} did not finish within ${timeoutMs / 1000}s`, durationMs: took(), ...later, ...imagesNote };
  }
  const c = succeeded(firstEnded);
  const verdict: Verdict = c?.status === 'True' ? 'PASS' : c?.reason === 'Unsupported' ? 'UNSUPPORTED' : 'FAIL';
  return { verdict, reason: c?.reason ?? 'Unknown', message: c?.message ?? '', durationMs: took(), ...later, ...imagesNote };
}

/** The runs as the store has them now (a run that cannot be read stays as given). */
async function current(client: KilnClient, runs: readonly KObject[]): Promise<KObject[]> {
  return Promise.all(runs.map((r) => client.get(r.kind, r.metadata.namespace!, r.metadata.name!).catch(() => r)));
}

/** `Kind/name (Reason)` of the runs after the first that did not succeed, if any. */
export function laterFailures(runs: readonly KObject[]): { laterFailed?: string[] } {
  const failed = runs.filter((r) => succeeded(r)?.status !== 'True').map((r) => `${r.kind}/${r.metadata.name} (${succeeded(r)?.reason ?? 'unfinished'})`);
  return failed.length ? { laterFailed: failed } : {};
}

/**
 * Waits until every TaskRun and PipelineRun of the namespace has finished (a TaskRun finishes
 * once its steps and sidecars have stopped), at most `limitMs`: the next file starts on a quiet machine.
 */
export async function settle(client: KilnClient, namespace: string, limitMs: number, pollMs = POLL_MS): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const all = [...await client.list('TaskRun', namespace), ...await client.list('PipelineRun', namespace)];
    if (all.every(isFinished)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** One file's line: `PASS name (reason: message) (later runs failed: TaskRun/x (Failed)) 1.2s`. */
export function reportLine(r: FileResult): string {
  const later = r.laterFailed?.length ? ` (later runs failed: ${r.laterFailed.join(', ')})` : '';
  return `${r.verdict} ${r.file} (${r.reason}: ${r.message})${later} ${(r.durationMs / 1000).toFixed(1)}s`;
}

/** Runs `fn` over items with at most `jobs` at once, keeping order of results. */
async function pool<T, R>(items: T[], jobs: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return out;
}

/** The per-file report as Markdown: counts per directory, then every file with its verdict. */
export function markdownReport(results: FileResult[], dir: string, imagesFile?: string): string {
  const dirs = new Map<string, Record<Verdict, number>>();
  for (const r of results) {
    const d = r.file.includes('/') ? r.file.slice(0, r.file.lastIndexOf('/')) : '.';
    const c = dirs.get(d) ?? { PASS: 0, FAIL: 0, UNSUPPORTED: 0 };
    c[r.verdict]++;
    dirs.set(d, c);
  }
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# Conformance report',
    '',
    `\`kiln conformance ${dir}\`: each upstream file run as upstream CI judges it (the first run created must reach Succeeded=True).`,
    '',
    ...(imagesFile ? [`Image references replaced by \`${imagesFile}\` in ${results.filter((r) => r.imagesReplaced?.length).length} file(s) (named in their message cell).`, ''] : []),
    '| directory | pass | fail | unsupported |',
    '|---|---:|---:|---:|',
    ...[...dirs].sort().map(([d, c]) => `| ${d} | ${c.PASS} | ${c.FAIL} | ${c.UNSUPPORTED} |`),
    '',
    '| file | verdict | reason | message |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.file} | ${r.verdict} | ${cell(r.reason)} | ${cell([r.verdict === 'PASS' ? '' : r.message, r.laterFailed?.length ? `later runs failed: ${r.laterFailed.join(', ')}` : '', r.imagesReplaced?.length ? `images replaced: ${r.imagesReplaced.join(', ')}` : ''].filter(Boolean).join('; '))} |`),
    '',
  ];
  return lines.join('\n');
}

function readRatchet(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

export async function conformanceCommand(opts: ConformanceOptions): Promise<number> {
  const files = yamlFiles(opts.dir);
  const client = await opts.client();
  let cluster: ConformanceCluster | undefined;
  try {
    cluster = await opts.cluster?.();
  } catch (e) {
    await client.close();
    throw e;
  }
  const rootForNames = resolve(opts.ratchetRoot ?? opts.dir);
  const results: FileResult[] = [];
  try {
    await pool(files, opts.jobs, async (file, i) => {
      const name = relative(rootForNames, resolve(file)) || file;
      let r: Omit<FileResult, 'file'>;
      try {
        r = await runFile(client, file, i, opts.timeoutMs, opts.images?.map, cluster);
      } catch (e) {
        r = { verdict: 'FAIL', reason: 'InternalError', message: (e as Error).message, durationMs: 0 };
      }
      const result: FileResult = { file: name, ...r };
      results.push(result);
      if (!opts.json) opts.out(reportLine(result));
    });
  } finally {
    cluster?.close();
    await client.close();
  }
  results.sort((a, b) => a.file.localeCompare(b.file));
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  if (opts.json) opts.out(JSON.stringify(results, null, 2));
  if (opts.report) writeFileSync(opts.report, markdownReport(results, opts.dir, opts.images?.file));
  const withImages = results.filter((r) => r.imagesReplaced?.length).length;
  if (opts.images) opts.out(`images: ${withImages} file(s) ran with references replaced by ${opts.images.file}`);
  opts.out(`${count('PASS')} passed, ${count('FAIL')} failed, ${count('UNSUPPORTED')} skipped`);
  if (!opts.ratchet) return count('FAIL') ? EXIT.failed : EXIT.ok;

  const ratchet = readRatchet(opts.ratchet);
  const byName = new Map(results.map((r) => [r.file, r]));
  const regressions = ratchet.filter((f) => byName.has(f) && byName.get(f)!.verdict !== 'PASS');
  const missing = results.filter((r) => r.verdict === 'PASS' && !ratchet.includes(r.file)).map((r) => r.file);
  for (const f of missing) opts.err(`ratchet: ${f} passes but is not in ${opts.ratchet}: add it`);
  for (const f of regressions) opts.err(`ratchet: ${f} is in ${opts.ratchet} but did not pass (${byName.get(f)!.reason}: ${byName.get(f)!.message})`);
  return regressions.length ? EXIT.failed : EXIT.ok;
}
