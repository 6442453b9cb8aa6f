// `kiln conformance DIR`: runs every YAML file under DIR the way upstream CI judges it — create
// every object in a fresh namespace, wait for the FIRST TaskRun/PipelineRun's Succeeded condition.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { KObject } from '../api/meta.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import { loadFile } from './files.ts';
import { follow, succeeded } from './follow.ts';
import type { Reporter } from './reporter.ts';

export type Verdict = 'PASS' | 'FAIL' | 'UNSUPPORTED';
export interface FileResult { file: string; verdict: Verdict; reason: string; message: string; durationMs: number }

export interface ConformanceOptions {
  dir: string;
  jobs: number;
  timeoutMs: number;
  json: boolean;
  ratchet?: string;
  ratchetRoot?: string;
  /** also write a Markdown report here */
  report?: string;
  client: () => Promise<KilnClient>;
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

async function runFile(client: KilnClient, file: string, index: number, timeoutMs: number): Promise<Omit<FileResult, 'file'>> {
  const started = Date.now();
  const took = () => Date.now() - started;
  const namespace = slug(index, file);
  let objects;
  try {
    objects = loadFile(file, { namespace }).objects.map((o) => o.object);
  } catch (e) {
    const ce = e as CliError;
    return { verdict: 'FAIL', reason: 'InvalidInput', message: [ce.message, ...(ce.details ?? [])].join('; '), durationMs: took() };
  }
  const runs = objects.filter((o) => o.kind === 'TaskRun' || o.kind === 'PipelineRun');
  if (!runs.length) return { verdict: 'FAIL', reason: 'NoRun', message: 'the file has no TaskRun or PipelineRun', durationMs: took() };
  for (const o of objects) if (!runs.includes(o)) await client.apply(o);
  const created: KObject[] = [];
  for (const r of runs) created.push(await client.create(r));
  const first = created[0];
  const f = follow(client, { namespace, runs: [{ kind: first.kind, name: first.metadata.name! }], reporter: silent, logs: false });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const res = await Promise.race([f.wait(), timedOut]);
  clearTimeout(timer);
  for (const r of created) await client.cancel(r.kind, namespace, r.metadata.name!, 'conformance run over').catch(() => {});
  if (res === 'timeout') {
    f.stop();
    return { verdict: 'FAIL', reason: 'Timeout', message: `${first.kind} ${first.metadata.name} did not finish within ${timeoutMs / 1000}s`, durationMs: took() };
  }
  const c = succeeded(res[0]);
  const verdict: Verdict = c?.status === 'True' ? 'PASS' : c?.reason === 'Unsupported' ? 'UNSUPPORTED' : 'FAIL';
  return { verdict, reason: c?.reason ?? 'Unknown', message: c?.message ?? '', durationMs: took() };
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
export function markdownReport(results: FileResult[], dir: string): string {
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
    '| directory | pass | fail | unsupported |',
    '|---|---:|---:|---:|',
    ...[...dirs].sort().map(([d, c]) => `| ${d} | ${c.PASS} | ${c.FAIL} | ${c.UNSUPPORTED} |`),
    '',
    '| file | verdict | reason | message |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.file} | ${r.verdict} | ${cell(r.reason)} | ${r.verdict === 'PASS' ? '' : cell(r.message)} |`),
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
  const rootForNames = resolve(opts.ratchetRoot ?? opts.dir);
  const results: FileResult[] = [];
  try {
    await pool(files, opts.jobs, async (file, i) => {
      const name = relative(rootForNames, resolve(file)) || file;
      let r: Omit<FileResult, 'file'>;
      try {
        r = await runFile(client, file, i, opts.timeoutMs);
      } catch (e) {
        r = { verdict: 'FAIL', reason: 'InternalError', message: (e as Error).message, durationMs: 0 };
      }
      const result = { file: name, ...r };
      results.push(result);
      if (!opts.json) opts.out(`${r.verdict} ${name} (${r.reason}: ${r.message}) ${(r.durationMs / 1000).toFixed(1)}s`);
    });
  } finally {
    await client.close();
  }
  results.sort((a, b) => a.file.localeCompare(b.file));
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  if (opts.json) opts.out(JSON.stringify(results, null, 2));
  if (opts.report) writeFileSync(opts.report, markdownReport(results, opts.dir));
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
