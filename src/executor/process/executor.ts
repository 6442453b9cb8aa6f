// The process executor: runs each step as a local process, inside a bubblewrap sandbox that puts
// the attempt's directories where Tekton puts them, or with paths rewritten when bwrap is absent.
import { mkdirSync, realpathSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import { attemptLayout } from './layout.ts';
import type { ExecutionHandle, ExecutionPlan, Executor, Unsupported } from '../executor.ts';
import { startAttempt } from './attempt.ts';
import type { AttemptHandle } from './attempt.ts';
import { checkPlan } from './check.ts';
import { DEFAULT_PATH, busyboxApplets, createWhich, probeBwrap, scanRoot } from './host.ts';
import type { HostTools } from './prepare.ts';
import type { RootOp } from './sandbox.ts';
import type { SpawnTrace } from './launch.ts';

/** Options of `createProcessExecutor`. */
export interface ProcessExecutorOptions {
  /** kiln's data directory: attempts live in `<dataDir>/runs/…`, claims in `<dataDir>/claims/…`; hidden from steps */
  dataDir: string;
  /** bwrap binary; default: found on PATH and verified once; false: never sandbox (path substitution) */
  bwrap?: string | false;
  /** busybox binary for `sh`-family scripts and busybox-like images; default: found on PATH; false: none */
  busybox?: string | false;
  /** clock for snapshot timestamps (default: `() => new Date()`) */
  now?: () => Date;
  /** more host paths to hide from steps (besides dataDir, /root and /home) */
  maskPaths?: string[];
  /** grace between SIGTERM and SIGKILL when stopping a process group (default 2000 ms) */
  graceMs?: number;
  /** observer of every process started (used by benchmarks to replay steps outside kiln) */
  trace?: (spawned: SpawnTrace) => void;
}

/** Paths always hidden from steps (besides kiln's data directory). */
export const DEFAULT_MASKS: readonly string[] = ['/root', '/home'];

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Resolves the bwrap binary: explicit, or auto-detected and probed; the reason when unusable. */
function detectBwrap(opt: string | false | undefined, which: (n: string) => string | undefined): { bwrap?: string; notice?: string } {
  if (opt === false) return { notice: 'bwrap disabled: steps run as plain processes with /workspace and /tekton paths rewritten; read-only mounts are not enforced and mount paths elsewhere cannot be honoured' };
  if (opt) return { bwrap: opt };
  const found = which('bwrap');
  if (!found) return { notice: 'bwrap not found (Debian package bubblewrap): steps run as plain processes with /workspace and /tekton paths rewritten; the host is not protected from steps, read-only mounts are not enforced and mount paths elsewhere cannot be honoured' };
  const why = probeBwrap(found);
  if (why) return { notice: `bwrap at ${found} cannot create a sandbox here (${why}): steps run as plain processes with paths rewritten` };
  return { bwrap: found };
}

/** Creates the process executor (see ARCHITECTURE.md "Step execution (process executor)"). */
export function createProcessExecutor(opts: ProcessExecutorOptions): Executor {
  const { now = () => new Date(), graceMs = 2000 } = opts;
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const which = createWhich();
  const notices: string[] = [];
  const hostPATH = process.env.PATH || DEFAULT_PATH;
  const sandbox = detectBwrap(opts.bwrap, (n) => which(n, hostPATH));
  if (sandbox.notice) notices.push(sandbox.notice);
  const busybox = opts.busybox === false ? undefined : opts.busybox || which('busybox', hostPATH);
  if (!busybox && opts.busybox !== false) notices.push('busybox not found (Debian package busybox-static): #!/bin/sh scripts run with the host /bin/sh');
  const masks = [...new Set([realOrSelf(dataDir), ...DEFAULT_MASKS, ...(opts.maskPaths ?? []).map(realOrSelf)])]
    .filter((m) => existsSync(m))
    .sort((a, b) => a.length - b.length);
  let root: RootOp[] | undefined;
  let applets: Set<string> | undefined;
  const tools: HostTools = {
    bwrap: sandbox.bwrap,
    busybox,
    which,
    masks,
    root: () => (root ??= scanRoot()),
    applets: () => (applets ??= busybox ? busyboxApplets(busybox) : new Set()),
  };
  const attempts = new Map<string, AttemptHandle>();
  const deps = { dataDir, tools, now, graceMs, trace: opts.trace };
  return {
    name: 'process',
    check: (plan: ExecutionPlan): Unsupported[] => checkPlan(tools, dataDir, plan),
    start: function start(plan: ExecutionPlan, onChange: () => void): ExecutionHandle {
      const existing = attempts.get(plan.id);
      if (existing) {
        existing.listen(onChange);
        return existing;
      }
      const handle = startAttempt(deps, plan, onChange);
      attempts.set(plan.id, handle);
      return handle;
    },
    get: (id: string) => attempts.get(id),
    notices: () => [...notices],
    forget: function forget(id: string): void {
      const h = attempts.get(id);
      if (h?.snapshot().outcome) attempts.delete(id);
    },
    removeRun: async function removeRun(namespace: string, taskRunName: string, uid: string): Promise<void> {
      const root = dirname(attemptLayout(dataDir, { id: `${namespace}/${taskRunName}/0`, namespace, taskRunName, taskRunUid: uid }).root);
      await rm(root, { recursive: true, force: true });
      for (const id of attempts.keys()) if (id.startsWith(`${namespace}/${taskRunName}/`)) attempts.delete(id);
    },
    drain: async function drain(): Promise<void> {
      await Promise.all([...attempts.values()].map((h) => h.done));
    },
    close: async function close(): Promise<void> {
      for (const h of attempts.values()) h.cancel('cancelled', 'the executor was closed');
      await Promise.all([...attempts.values()].map((h) => h.done));
    },
  };
}
