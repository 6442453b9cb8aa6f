// How kiln calls podman: with a containers.conf of its own (runc and explicit ulimits for every
// container, a pod's infra container included: measured necessary with podman 4.3 on cgroups v1
// hybrid hosts, where crun fails and raising rlimits above the hard limit is refused), and
// whether podman works here at all.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** kiln's containers.conf: runc, and ulimits podman may set without raising the host's hard limits. */
export const CONTAINERS_CONF = '[containers]\ndefault_ulimits = ["nofile=1024:1024","nproc=1024:1024"]\n\n[engine]\nruntime = "runc"\n';

/** A podman binary and the environment kiln runs it with. */
export interface Podman {
  bin: string;
  /** podman's environment: kiln's own plus CONTAINERS_CONF */
  env: Record<string, string>;
}

/** The output of a podman command run to its end. */
export interface PodmanResult { code: number; stdout: string; stderr: string }

/** Writes kiln's containers.conf under `<dataDir>/podman/` and returns how to call `bin` with it. */
export function podmanWith(dataDir: string, bin = 'podman'): Podman {
  const dir = join(dataDir, 'podman');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, CONTAINERS_CONF);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.CONTAINERS_CONF = conf;
  return { bin, env };
}

/** Runs `podman args…` to its end (killed after `timeoutMs`, default 60 s, or when `signal` aborts); never throws. */
export function podmanRun(p: Podman, args: readonly string[], timeoutMs = 60_000, signal?: AbortSignal): Promise<PodmanResult> {
  return new Promise(function run(resolve) {
    execFile(p.bin, args, { env: p.env, timeout: timeoutMs, maxBuffer: 16 << 20, encoding: 'utf8', signal }, function done(err, stdout, stderr) {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : 127;
      resolve({ code, stdout, stderr: stderr || (e && typeof e.code !== 'number' ? e.message : '') });
    });
  });
}

/**
 * Removes pods `names` and everything in them (stopped at once); a pod already gone is no error.
 * A removal podman refuses (seen rarely: a container still changing state) is tried again, up to
 * `tries` times with a growing pause; returns the last result.
 */
export async function removePods(p: Podman, names: readonly string[], tries = 4): Promise<PodmanResult> {
  let r: PodmanResult = { code: 0, stdout: '', stderr: '' };
  if (!names.length) return r;
  for (let i = 0; i < tries; i++) {
    if (i) await new Promise((res) => setTimeout(res, 250 * 2 ** (i - 1)));
    r = await podmanRun(p, ['pod', 'rm', '--force', '--ignore', '--time', '0', ...names]);
    if (r.code === 0) return r;
  }
  return r;
}

/** podman's own message in `stderr` (its last `Error: …` line, else the last line). */
export function podmanMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.filter((l) => l.startsWith('Error: ')).pop();
  return (err ?? lines.pop() ?? '').replace(/^Error: /, '');
}

/** Whether podman works here (`podman info` with kiln's configuration): undefined when it does, else why not. */
export function probePodman(p: Podman): string | undefined {
  const r = spawnSync(p.bin, ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { env: p.env, encoding: 'utf8', timeout: 30_000 });
  if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${p.bin} not found` : r.error.message;
  if (r.status !== 0) return podmanMessage(r.stderr) || `podman info exited with ${r.status ?? r.signal}`;
  return undefined;
}
