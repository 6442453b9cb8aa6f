// `kiln conformance gitops DIR`: runs the GitOps fixtures (Argo CD's health and diff test data) through
// kiln's health and diff modules; prints pass/fail/unsupported per fixture file, with a ratchet.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from './exit.ts';

export type CaseVerdict = 'PASS' | 'FAIL' | 'UNSUPPORTED';
/** One fixture case: `file` is the fixture list (e.g. health/expected-core.json), `id` the case in it. */
export interface CaseResult { file: string; id: string; verdict: CaseVerdict; message: string }
/** Runs every fixture case under a directory (wired by the composition root to gitops/conformance). */
export type GitopsConformanceRunner = (dir: string) => Promise<CaseResult[]>;

export interface GitopsConformanceOptions {
  dir: string;
  json: boolean;
  ratchet?: string;
  run: GitopsConformanceRunner;
  out: (s: string) => void;
  err: (s: string) => void;
}

/** The name a case has in the ratchet file: `<fixture file>::<case>`. */
export function ratchetName(r: CaseResult): string {
  return `${r.file}::${r.id}`;
}

function readRatchet(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.invalid, `--ratchet ${path}: ${(e as Error).message}`);
  }
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** Per fixture file: `health/expected-core.json: 27 passed, 0 failed, 0 unsupported`. */
export function summaryLines(results: readonly CaseResult[]): string[] {
  const files = [...new Set(results.map((r) => r.file))];
  return files.map(function line(f) {
    const of = results.filter((r) => r.file === f);
    const n = (v: CaseVerdict) => of.filter((r) => r.verdict === v).length;
    return `${f}: ${n('PASS')} passed, ${n('FAIL')} failed, ${n('UNSUPPORTED')} unsupported (of ${of.length})`;
  });
}

/** Runs the fixtures and reports; the exit code is 1 on a failure (or, with a ratchet, on a listed case that stopped passing). */
export async function gitopsConformanceCommand(opts: GitopsConformanceOptions): Promise<number> {
  const results = await opts.run(opts.dir);
  if (!results.length) throw new CliError(EXIT.invalid, `${opts.dir}: no GitOps fixture lists (health/expected-*.json, diff/expected-diff.json) found`);
  const count = (v: CaseVerdict) => results.filter((r) => r.verdict === v).length;
  if (opts.json) opts.out(JSON.stringify(results, null, 2));
  else for (const r of results) if (r.verdict !== 'PASS') opts.out(`${r.verdict} ${ratchetName(r)} (${r.message})`);
  for (const l of summaryLines(results)) opts.out(l);
  opts.out(`${count('PASS')} passed, ${count('FAIL')} failed, ${count('UNSUPPORTED')} skipped`);
  if (!opts.ratchet) return count('FAIL') ? EXIT.failed : EXIT.ok;
  const ratchet = readRatchet(opts.ratchet);
  const byName = new Map(results.map((r) => [ratchetName(r), r]));
  const regressions = ratchet.filter((n) => byName.get(n)?.verdict !== 'PASS');
  for (const r of results) if (r.verdict === 'PASS' && !ratchet.includes(ratchetName(r))) opts.err(`ratchet: ${ratchetName(r)} passes but is not in ${opts.ratchet}: add it`);
  for (const n of regressions) {
    const r = byName.get(n);
    opts.err(`ratchet: ${n} is in ${opts.ratchet} but did not pass (${r ? `${r.verdict}: ${r.message}` : 'no such case'})`);
  }
  return regressions.length ? EXIT.failed : EXIT.ok;
}

/** Adds `gitops` under `kiln conformance`. */
export function addGitopsConformance(conformance: Command, run: GitopsConformanceRunner | undefined, w: { out(s: string): void; err(s: string): void }, setCode: (c: number) => void): void {
  conformance
    .command('gitops')
    .description('run the GitOps fixtures (Argo CD health and diff test data) through kiln\'s health and diff; report per fixture file')
    .argument('<dir>', 'directory of the fixtures (health/, diff/)')
    .option('--json', 'print every case as JSON')
    .option('--ratchet <file>', 'fail only if a case listed here (`<fixture file>::<case>`) stops passing')
    .action(async function gitops(dir: string, _o: unknown, cmd: Command) {
      if (!run) throw new CliError(EXIT.internal, 'this build of kiln cannot run the GitOps fixtures');
      const o = cmd.optsWithGlobals() as { json?: boolean; ratchet?: string };
      setCode(await gitopsConformanceCommand({ dir, json: !!o.json, ratchet: o.ratchet, run, out: w.out, err: w.err }));
    });
}
