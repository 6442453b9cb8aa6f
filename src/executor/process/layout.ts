// The private directory of one attempt under <dataDir>/runs/<ns>/<taskrun>/attempt-<n>/ and the
// volumes it uses. Created once when the attempt starts.
import { closeSync, existsSync, lchownSync, mkdirSync, openSync, rmdirSync, symlinkSync } from 'node:fs';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';
import type { ExecutionPlan, PlanMount, PlanVolume } from '../executor.ts';
import { createdDirsOwner, mkdirBeneath, mkdirsBeneath, refusal } from './beneath.ts';
import type { TrustedDirs } from './beneath.ts';
import { OWN_CREDS_DIR, removeCredentials, writeCredentials } from './creds.ts';

/** Host directories of one attempt (all absolute). */
export interface AttemptLayout {
  root: string;
  workspace: string;
  home: string;
  results: string;
  steps: string;
  scripts: string;
  run: string;
  artifacts: string;
  creds: string;
  logs: string;
  volumes: string;
}

/** A path component safe to use as a directory name (ids come from the API, but never trust them). */
function safe(part: string): string {
  const s = part.replace(/[^A-Za-z0-9_.-]/g, '_');
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

/** The attempt's directories: `runs/<namespace>/<taskrun>[-<uid prefix>]/attempt-<n>` (from `plan.id` = `<namespace>/<taskrun>/<attempt>`). */
export function attemptLayout(dataDir: string, plan: Pick<ExecutionPlan, 'id' | 'namespace' | 'taskRunName' | 'taskRunUid'>): AttemptLayout {
  const parts = plan.id.split('/');
  const attempt = parts.length === 3 ? parts[2] : plan.id;
  const run = plan.taskRunUid ? `${safe(plan.taskRunName)}-${safe(plan.taskRunUid.slice(0, 8))}` : safe(plan.taskRunName);
  const root = join(dataDir, 'runs', safe(plan.namespace), run, `attempt-${safe(attempt)}`);
  const d = (name: string): string => join(root, name);
  return {
    root,
    workspace: d('workspace'),
    home: d('home'),
    results: d('results'),
    steps: d('steps'),
    scripts: d('scripts'),
    run: d('run'),
    artifacts: d('artifacts'),
    creds: d('creds'),
    logs: d('logs'),
    volumes: d('volumes'),
  };
}

/** Where a persistent claim lives: `<dataDir>/claims/<namespace>/<claimName>/`. */
export function claimDir(dataDir: string, namespace: string, claimName: string): string {
  return join(dataDir, 'claims', safe(namespace), safe(claimName));
}

/** The host directory backing a volume for this attempt. */
export function volumeDir(dataDir: string, layout: AttemptLayout, v: PlanVolume): string {
  switch (v.source.type) {
    case 'hostDir':
      return v.source.path;
    case 'claim':
      return claimDir(dataDir, v.source.namespace, v.source.claimName);
    default:
      return join(layout.volumes, safe(v.name));
  }
}

/** A relative subPath that stays inside its volume, or undefined when it would escape. */
export function cleanSubPath(subPath: string): string | undefined {
  const n = normalize(subPath).replace(/^\/+/, '').replace(/\/+$/, '');
  return n === '..' || n.startsWith('../') ? undefined : n === '.' ? '' : n;
}

/** Where a mount's source is: `rel` (its subPath, '' for none) beneath the volume's directory `root`. */
export interface MountSource {
  /** host path: `root` + `rel` */
  src: string;
  root: string;
  rel: string;
}

/** The host path a mount shows (volume dir + subPath), or an error message. */
export function mountSource(mount: PlanMount, volumes: ReadonlyMap<string, string>): MountSource | { error: string } {
  const root = volumes.get(mount.volume);
  if (root === undefined) return { error: `mount ${mount.mountPath} names unknown volume "${mount.volume}"` };
  if (!mount.subPath) return { src: root, root, rel: '' };
  const sub = cleanSubPath(mount.subPath);
  if (sub === undefined) return { error: `mount ${mount.mountPath}: subPath "${mount.subPath}" leaves the volume` };
  return { src: sub ? join(root, sub) : root, root, rel: sub };
}

/** How kiln names a mount's subPath in messages: `mount /data subPath "a/b"`. */
export function subPathWhat(mount: PlanMount): string {
  return `mount ${mount.mountPath} subPath "${mount.subPath}"`;
}

/** Writes a `files` volume (ConfigMap/Secret stand-in): each relative path with `mode` (default 0644). */
async function writeFiles(dir: string, files: Record<string, string | Uint8Array>, mode = 0o644): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(Object.entries(files).map(async function writeOne([rel, content]) {
    const sub = cleanSubPath(rel);
    if (!sub) return;
    const path = join(dir, sub);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, { mode });
    // the step user reads them as a container's root would (a 0400 Secret key stays readable to it)
    const o = createdDirsOwner();
    if (o) lchownSync(path, o.uid, o.gid);
  }));
}

/**
 * Creates every directory of the attempt (and of its volumes); returns volume name → host dir.
 * Nothing is created through a link (`trusted` holds the attempt's and the volumes' directories):
 * a claim or hostDir is shared with earlier TaskRuns, whose steps could have planted one.
 * The plan's credentials are written to /tekton/creds and /tekton/home (creds.ts); `credsPath` is
 * where steps see /tekton/creds when they see host paths (no sandbox).
 */
export async function createLayout(dataDir: string, layout: AttemptLayout, plan: ExecutionPlan, trusted: TrustedDirs, credsPath?: string): Promise<Map<string, string>> {
  const { steps } = layout;
  const dirs = ['workspace', 'home', 'results', 'scripts', 'artifacts', 'creds', 'logs', 'steps', 'run'];
  plan.steps.forEach((s, i) => dirs.push(`steps/${s.containerName}`, `steps/${s.containerName}/results`, `steps/${s.containerName}/artifacts`, `run/${i}`));
  // The skeleton is made synchronously, parents first (one system call per directory, beneath the
  // attempt's directory): its ~20 metadata operations on kiln's own directory take ~0.3 ms so,
  // against 5–10 ms of round trips through the thread pool, and they lie on the path from one
  // TaskRun's end to the next one's first step.
  makeDir(layout.root);
  mkdirsBeneath(trusted.dir(layout.root, layout.root), dirs);
  plan.steps.forEach((s, i) => {
    try {
      symlinkSync(s.containerName, join(steps, String(i)));
    } catch (e) {
      ignoreExists(e as NodeJS.ErrnoException);
    }
  });
  for (const c of [...plan.steps, ...plan.sidecars]) closeSync(openSync(join(layout.logs, `${c.containerName}.log`), 'a', 0o600));
  writeCredentials(layout, plan, trusted, credsPath);
  const volumes = new Map<string, string>();
  await Promise.all(plan.volumes.map(async function makeVolume(v) {
    const dir = volumeDir(dataDir, layout, v);
    volumes.set(v.name, dir);
    if (v.source.type === 'files') await writeFiles(dir, v.source.files, v.source.mode);
    else if (v.source.type === 'hostDir' && v.source.within) {
      // beneath the operator's allowed directory, where other runs' steps write: no link followed
      // (missing directories are created for the step user, as below)
      try {
        trusted.pin(dir, v.source.within, relative(v.source.within, dir));
      } catch (e) {
        throw new Error(refusal(`volume "${v.name}" hostPath ${dir}`, dir, e));
      }
    } else {
      const existed = v.source.type === 'hostDir' && existsSync(dir);
      await mkdir(dir, { recursive: true });
      // an emptyDir, a claim or a host directory kiln made is the step's to write (kiln's own parents
      // are not writable to it); an existing host directory keeps its owner
      const o = createdDirsOwner();
      if (o && !existed) lchownSync(dir, o.uid, o.gid);
    }
  }));
  for (const c of [...plan.steps, ...plan.sidecars]) {
    for (const m of c.mounts) {
      const src = mountSource(m, volumes);
      const vol = plan.volumes.find((v) => v.name === m.volume);
      const isFile = vol?.source.type === 'files' && m.subPath !== undefined && Object.hasOwn(vol.source.files, cleanSubPath(m.subPath) ?? '');
      if ('error' in src || !src.rel || isFile) continue;
      try {
        mkdirBeneath(trusted.dir(src.root, ''), src.rel);
      } catch (e) {
        throw new Error(refusal(subPathWhat(m), src.rel, e));
      }
    }
  }
  return volumes;
}

/** Removes what must not outlive the attempt: materialised Secret/ConfigMap files and credentials (in /tekton/creds and /tekton/home). */
export async function cleanupLayout(layout: AttemptLayout, plan: ExecutionPlan): Promise<void> {
  removeCredentials(layout, plan);
  const doomed = plan.volumes.filter((v) => v.source.type === 'files').map((v) => join(layout.volumes, safe(v.name)));
  if (doomed.length) await Promise.all(doomed.map((d) => rm(d, { recursive: true, force: true })));
  if (plan.credentials && Object.keys(plan.credentials).length) await rm(join(layout.root, OWN_CREDS_DIR), { recursive: true, force: true });
  try {
    rmdirSync(layout.creds); // usually empty: one system call, no round trip
  } catch {
    await rm(layout.creds, { recursive: true, force: true });
  }
}

/** mkdir (0700: kiln's own) of a directory whose parent usually exists already; an existing one is fine. */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir, 0o700);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') mkdirSync(dir, { recursive: true, mode: 0o700 });
    else if (code !== 'EEXIST') throw e;
  }
}

function ignoreExists(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EEXIST') throw e;
}
