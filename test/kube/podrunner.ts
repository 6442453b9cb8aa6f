// A test pod runner (test code, not product): the part of a kubelet kiln's kubernetes executor
// relies on, over podman, for machines where no cluster can be installed. It watches Pods on a
// Kubernetes API (kiln's own in the tests), runs each Pod as a podman pod — init containers in
// order, native sidecars (restartPolicy Always) started and gated by their startup probe, then the
// containers — writes the Pod's status back as a kubelet does (phase, container states, exit
// codes, termination messages, activeDeadlineSeconds), removes a deleted Pod's containers at
// once, and serves `GET /api/v1/namespaces/NS/pods/NAME/log?container=C[&follow=true]` on a
// loopback port of its own.
//
// Not done: restarts (a sidecar that exits or keeps failing its startup probe is not restarted:
// the Pod waits for its deadline or its deletion), readiness/liveness probes after start, volumes
// other than emptyDir, persistentVolumeClaim (a directory per claim under the work dir), downwardAPI
// (metadata fields, rewritten when the Pod changes; podvolumes.ts), configMap and secret (their
// files written once, at the Pod's start; a missing one fails the Pod after 5 s, where a kubelet
// would keep it waiting), projected (those sources written once into one directory, and a
// serviceAccountToken source as a placeholder token: no token is issued here), env valueFrom, pod-level securityContext, image pulls (images must be present: a missing one is
// ErrImagePull), Services and networking between Pods, node selection (every Pod is taken).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { podmanRun, removePods } from '../../src/executor/podman/cli.ts';
import type { Podman } from '../../src/executor/podman/cli.ts';
import { bindsOf, runArgs } from './podargs.ts';
import { writeDownward, writeKeys, writeProjected } from './podvolumes.ts';
import type { KeySource, PodMeta, ProjectedSource } from './podvolumes.ts';
import type { KubeContainer, KubeProbe } from './podargs.ts';

export interface PodRunnerOptions {
  /** the Kubernetes API the Pods are on */
  apiUrl: string;
  /** bearer token for the API (none: an insecure loopback server) */
  token?: string;
  /** where each Pod's volumes, logs and termination messages live (`<workDir>/<uid>/…`) */
  workDir: string;
  podman: Podman;
  /** the podman pods' network (default 'none': loopback only, shared by the Pod's containers) */
  network?: 'none' | 'outside';
}

export interface PodRunner {
  /** the runner's own HTTP endpoint (pods/log) */
  url: string;
  /** stops watching, removes every podman pod it made, closes its endpoint */
  stop(): Promise<void>;
}

interface PodObject {
  metadata: PodMeta & { resourceVersion?: string };
  spec: { initContainers?: KubeContainer[]; containers: KubeContainer[]; volumes?: Array<Record<string, unknown> & { name: string }>; activeDeadlineSeconds?: number };
  status?: { phase?: string };
}

/** One container as the runner knows it. */
interface Ctr {
  spec: KubeContainer;
  sidecar: boolean;
  podmanName: string;
  log: string;
  termination: string;
  phase: 'waiting' | 'running' | 'terminated';
  waiting?: { reason: string; message?: string };
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  reason?: string;
  message?: string;
  started?: boolean;
  ready?: boolean;
  proc?: ChildProcess;
  exited?: Promise<number>;
}

/** One Pod being run. */
interface Run {
  pod: PodObject;
  dir: string;
  podmanPod: string;
  init: Ctr[];
  main: Ctr[];
  phase: string;
  reason?: string;
  message?: string;
  startTime?: string;
  /** set on deletion or at the deadline: nothing more starts */
  stop?: 'deleted' | 'deadline';
  stopped: Promise<void>;
  halt(why: 'deleted' | 'deadline'): void;
  queued: boolean;
  writes: Promise<void>;
}

/** A Pod's volumes on the node: name → host directory; configMap and secret volumes are mounted read-only. */
interface Volumes { dirs: Map<string, string>; readOnly: Set<string> }

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
/** The kubelet keeps at most this much of a termination message. */
const TERMINATION_MAX = 4096;

/** Starts the runner: it takes every Pod on the API that has not ended, from now on. */
export async function startPodRunner(o: PodRunnerOptions): Promise<PodRunner> {
  const { podman, network = 'none' } = o;
  const runs = new Map<string, Run>();
  /** images found on the node once (the runner removes none): one podman call less per container */
  const present = new Set<string>();
  const watchAbort = new AbortController();
  let closed = false;
  const headers = (json: boolean): Record<string, string> => ({ ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) });

  function statusOf(r: Run): Record<string, unknown> {
    const one = (c: Ctr) => ({
      name: c.spec.name, image: c.spec.image, imageID: '', restartCount: 0,
      ready: c.sidecar ? c.ready === true : c.phase === 'terminated' ? c.exitCode === 0 && r.init.includes(c) : c.phase === 'running',
      started: c.sidecar ? c.started === true : c.phase === 'running',
      state: c.phase === 'running' ? { running: { startedAt: c.startedAt } }
        : c.phase === 'terminated' ? { terminated: { exitCode: c.exitCode, reason: c.reason, ...(c.message ? { message: c.message } : {}), startedAt: c.startedAt, finishedAt: c.finishedAt } }
        : { waiting: c.waiting ?? { reason: 'PodInitializing' } },
    });
    return { phase: r.phase, ...(r.reason ? { reason: r.reason } : {}), ...(r.message ? { message: r.message } : {}), ...(r.startTime ? { startTime: r.startTime } : {}), initContainerStatuses: r.init.map(one), containerStatuses: r.main.map(one) };
  }

  /** Writes the Pod's status now (its latest state when the write happens); writes of one Pod are in order. */
  function report(r: Run): Promise<void> {
    if (r.queued) return r.writes;
    r.queued = true;
    r.writes = r.writes.then(async function put() {
      r.queued = false;
      if (r.stop === 'deleted') return;
      const { name, namespace, uid } = r.pod.metadata;
      const res = await fetch(`${o.apiUrl}/api/v1/namespaces/${namespace}/pods/${name}/status`, { method: 'PUT', headers: headers(true), body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid }, status: statusOf(r) }) });
      await res.arrayBuffer();
    }).catch(() => undefined);
    return r.writes;
  }

  /**
   * The ConfigMap or Secret `name` of the Pod's namespace, undefined when it is not there after 5 s
   * (a kubelet retries a missing one's mount too; the executor creates an attempt's credentials
   * Secret right after its Pod).
   */
  async function readSource(r: Run, kind: 'configmaps' | 'secrets', name: string): Promise<Record<string, unknown> | undefined> {
    for (let t0 = Date.now(); ; await sleep(100)) {
      const res = await fetch(`${o.apiUrl}/api/v1/namespaces/${r.pod.metadata.namespace}/${kind}/${encodeURIComponent(name)}`, { headers: headers(false) });
      if (res.status === 404) {
        await res.arrayBuffer();
        if (Date.now() - t0 > 5000) return undefined;
        continue;
      }
      if (!res.ok) throw new Error(`reading ${kind} ${name}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    }
  }

  /** Host directories of the Pod's volumes (and which are read-only), or why one cannot be made. */
  async function makeVolumes(r: Run): Promise<{ dirs: Map<string, string>; readOnly: Set<string> } | string> {
    const dirs = new Map<string, string>();
    const readOnly = new Set<string>();
    for (const v of r.pod.spec.volumes ?? []) {
      let dir: string;
      if (v.emptyDir) dir = join(r.dir, 'volumes', v.name);
      else if (v.persistentVolumeClaim) dir = join(o.workDir, 'claims', r.pod.metadata.namespace, (v.persistentVolumeClaim as { claimName: string }).claimName);
      else if (v.downwardAPI) {
        dir = join(r.dir, 'volumes', v.name);
        mkdirSync(dir, { recursive: true });
        const why = writeDownward(dir, v.downwardAPI, r.pod.metadata);
        if (why) return `volume ${v.name}: ${why}`;
        chmodSync(dir, 0o755);
        dirs.set(v.name, dir);
        readOnly.add(v.name);
        continue;
      } else if (v.configMap || v.secret || v.projected) {
        dir = join(r.dir, 'volumes', v.name);
        mkdirSync(dir, { recursive: true });
        const read = (kind: 'configmaps' | 'secrets', name: string) => readSource(r, kind, name);
        const cm = v.configMap as KeySource | undefined;
        const sec = v.secret as (Omit<KeySource, 'name'> & { secretName: string }) | undefined;
        const why = v.projected ? await writeProjected(dir, v.name, v.projected as ProjectedSource, r.pod.metadata, read)
          : cm ? await writeKeys(dir, v.name, 'configmaps', cm, read)
          : await writeKeys(dir, v.name, 'secrets', { ...sec!, name: sec!.secretName }, read);
        if (why) return why;
        chmodSync(dir, 0o755);
        dirs.set(v.name, dir);
        readOnly.add(v.name);
        continue;
      } else return `volume ${v.name}: only emptyDir, persistentVolumeClaim, downwardAPI, configMap, secret and projected volumes are run here`;
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      dirs.set(v.name, dir);
    }
    return { dirs, readOnly };
  }

  /** A Pod that changed while it runs: its downward API volumes rewritten (annotations, labels). */
  function changed(pod: PodObject): void {
    const r = runs.get(pod.metadata.uid);
    if (!r) return;
    r.pod.metadata = pod.metadata;
    for (const v of r.pod.spec.volumes ?? []) if (v.downwardAPI) writeDownward(join(r.dir, 'volumes', v.name), v.downwardAPI, pod.metadata);
  }

  /** Starts container `c` attached, its output into its log file; false when it cannot start (the reason is in its status). */
  async function start(r: Run, c: Ctr, volumes: Volumes): Promise<boolean> {
    // whatever its pull policy, the image must be here: the runner pulls nothing
    if (!present.has(c.spec.image) && (await podmanRun(podman, ['image', 'exists', c.spec.image])).code !== 0) {
      c.waiting = { reason: 'ErrImagePull', message: `image "${c.spec.image}" is not present on this node (the test pod runner pulls nothing)` };
      await report(r);
      return false;
    }
    present.add(c.spec.image);
    const binds = bindsOf(c.spec, volumes.dirs, volumes.readOnly);
    if (!('error' in binds)) for (const b of binds) if (!b.readOnly) mkdirSync(b.src, { recursive: true });
    writeFileSync(c.termination, '');
    chmodSync(c.termination, 0o666);
    const args = runArgs(c.spec, { pod: r.podmanPod, name: c.podmanName, volumes: volumes.dirs, readOnlyVolumes: volumes.readOnly, terminationLog: c.termination });
    if ('error' in args) {
      c.waiting = { reason: 'CreateContainerConfigError', message: args.error };
      await report(r);
      return false;
    }
    const fd = openSync(c.log, 'a');
    const proc = spawn(podman.bin, args, { env: podman.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    Object.assign(c, { proc, phase: 'running', startedAt: now(), waiting: undefined });
    c.exited = new Promise<number>((resolve) => {
      proc.on('error', () => resolve(127));
      proc.on('close', (code) => resolve(code ?? 137));
    }).then(function ended(code) {
      let message = '';
      try { message = readFileSync(c.termination, 'utf8').slice(0, TERMINATION_MAX); } catch { /* none */ }
      // podman's own failures (125: could not start, 126/127: command not runnable) are StartError to a kubelet
      const startError = code >= 125 && code <= 127 && !r.stop;
      Object.assign(c, {
        phase: 'terminated', finishedAt: now(), exitCode: startError ? 128 : code,
        reason: startError ? 'StartError' : code === 0 ? 'Completed' : 'Error', message: startError ? message || `podman exited with ${code}` : message,
      });
      return code;
    });
    await report(r);
    return true;
  }

  async function runToEnd(r: Run, c: Ctr, volumes: Volumes): Promise<boolean> {
    if (!(await start(r, c, volumes))) return false;
    await c.exited;
    await report(r);
    return c.exitCode === 0;
  }

  /** Runs the startup probe of sidecar `c` until it succeeds (true) or the Pod is stopped (false). */
  async function probeUntilStarted(r: Run, c: Ctr, p: KubeProbe | undefined): Promise<boolean> {
    // the Pod stopped or the sidecar gone (a function: the state changes between awaits)
    const over = () => r.stop !== undefined || c.phase === 'terminated';
    // running first: `podman exec` needs the container
    for (;;) {
      if (over()) return false;
      const st = await podmanRun(podman, ['container', 'inspect', '--format', '{{.State.Running}}', c.podmanName]);
      if (st.stdout.trim() === 'true') break;
      await sleep(100);
    }
    if (p?.exec?.command.length) {
      await sleep((p.initialDelaySeconds ?? 0) * 1000);
      for (;;) {
        if (over()) return false;
        const res = await podmanRun(podman, ['exec', c.podmanName, ...p.exec.command], (p.timeoutSeconds ?? 1) * 1000 + 5000);
        if (res.code === 0) break;
        await sleep((p.periodSeconds ?? 10) * 1000);
      }
    }
    Object.assign(c, { started: true, ready: true });
    await report(r);
    return true;
  }

  /** Stops the sidecars after the last container, as the kubelet does (TERM, KILL after a second). */
  async function stopSidecars(r: Run): Promise<void> {
    const live = r.init.filter((c) => c.sidecar && c.phase === 'running');
    if (!live.length) return;
    await podmanRun(podman, ['stop', '--ignore', '--time', '1', ...live.map((c) => c.podmanName)]);
    await Promise.all(live.map((c) => c.exited));
    for (const c of live) c.ready = false;
  }

  async function runPod(r: Run): Promise<void> {
    r.startTime = now();
    const volumes = await makeVolumes(r).catch((e: Error) => `volumes: ${e.message}`);
    if (typeof volumes === 'string') {
      Object.assign(r, { phase: 'Failed', reason: 'FailedMount', message: volumes });
      return void (await report(r));
    }
    // the Pod's name is its hostname, as on a node (podman's default, the pod's name, can exceed a hostname's 64 characters)
    const hostname = r.pod.metadata.name.slice(0, 63).replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+$/, '');
    const made = await podmanRun(podman, ['pod', 'create', '--name', r.podmanPod, '--hostname', hostname, '--network', network === 'none' ? 'none' : 'slirp4netns']);
    if (made.code !== 0) {
      Object.assign(r, { phase: 'Failed', reason: 'CreatePodSandboxError', message: made.stderr.trim() });
      return void (await report(r));
    }
    const deadline = r.pod.spec.activeDeadlineSeconds;
    const timer = deadline ? setTimeout(() => r.halt('deadline'), deadline * 1000) : undefined;
    await report(r);
    let ok = true;
    for (const c of r.init) {
      if (r.stop) break;
      if (c.sidecar) ok = (await start(r, c, volumes)) && (await probeUntilStarted(r, c, c.spec.startupProbe));
      else ok = await runToEnd(r, c, volumes);
      if (!ok) break;
    }
    if (ok && !r.stop) {
      r.phase = 'Running';
      const ends = await Promise.all(r.main.map((c) => runToEnd(r, c, volumes)));
      ok = ends.every(Boolean);
    } else if (!r.stop && r.init.some((c) => c.phase === 'waiting' && c.waiting)) {
      // a container that cannot start: the Pod stays Pending until its deadline or its deletion
      await r.stopped;
    }
    if (timer) clearTimeout(timer);
    await stopSidecars(r);
    await Promise.all([...r.init, ...r.main].map((c) => c.exited));
    if (r.stop === 'deleted') return;
    if (r.stop === 'deadline') Object.assign(r, { phase: 'Failed', reason: 'DeadlineExceeded', message: `Pod was active on the node longer than the specified deadline` });
    else r.phase = ok ? 'Succeeded' : 'Failed';
    await report(r);
    await removePods(podman, [r.podmanPod]);
  }

  function take(pod: PodObject): void {
    const uid = pod.metadata.uid;
    if (closed || runs.has(uid) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const dir = join(o.workDir, uid);
    const podmanPod = `kube-${pod.metadata.namespace}-${pod.metadata.name}-${uid.slice(0, 8)}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const ctr = (spec: KubeContainer, sidecar: boolean): Ctr => ({
      spec, sidecar, podmanName: `${podmanPod}-${spec.name}`, log: join(dir, 'logs', `${spec.name}.log`), termination: join(dir, 'logs', `${spec.name}.termination`), phase: 'waiting',
    });
    let halted!: () => void;
    const r: Run = {
      pod, dir, podmanPod, phase: 'Pending', queued: false, writes: Promise.resolve(),
      init: (pod.spec.initContainers ?? []).map((c) => ctr(c, c.restartPolicy === 'Always')),
      main: pod.spec.containers.map((c) => ctr(c, false)),
      stopped: new Promise<void>((res) => { halted = res; }),
      halt(why) {
        if (r.stop) return;
        r.stop = why;
        halted();
        // every container goes at once; their ends are recorded by runPod
        void removePods(podman, [podmanPod]);
      },
    };
    runs.set(uid, r);
    void runPod(r).catch(async (e: Error) => {
      Object.assign(r, { phase: 'Failed', reason: 'RunnerError', message: e.message });
      await report(r);
    });
  }

  function gone(uid: string): void {
    const r = runs.get(uid);
    if (!r) return;
    r.halt('deleted');
    runs.delete(uid);
    // the logs stay a moment for readers still following them
    setTimeout(() => rmSync(r.dir, { recursive: true, force: true }), 5000).unref();
  }

  async function watchLoop(): Promise<void> {
    while (!closed) {
      try {
        const list = await fetch(`${o.apiUrl}/api/v1/pods`, { headers: headers(false), signal: watchAbort.signal });
        const body = (await list.json()) as { metadata?: { resourceVersion?: string }; items?: PodObject[] };
        const seen = new Set((body.items ?? []).map((p) => p.metadata.uid));
        for (const uid of [...runs.keys()]) if (!seen.has(uid)) gone(uid);
        for (const p of body.items ?? []) take(p);
        const rv = body.metadata?.resourceVersion;
        const res = await fetch(`${o.apiUrl}/api/v1/pods?watch=true${rv ? `&resourceVersion=${rv}` : ''}`, { headers: headers(false), signal: watchAbort.signal });
        let buf = '';
        const dec = new TextDecoder();
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true });
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (!line) continue;
            const ev = JSON.parse(line) as { type: string; object: PodObject };
            if (ev.type === 'DELETED') gone(ev.object.metadata.uid);
            else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
              changed(ev.object);
              take(ev.object);
            }
          }
        }
      } catch {
        // the API away for a moment, or stopping: listed again below
      }
      if (!closed) await sleep(300);
    }
  }

  /** The Pod `ns/name` being run (the latest of that name). */
  const find = (ns: string, name: string) => [...runs.values()].reverse().find((r) => r.pod.metadata.namespace === ns && r.pod.metadata.name === name);

  function fail(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
  }

  /** Streams container `c`'s log from its start; with follow, until the container ends or the reader goes. */
  async function streamLog(c: Ctr, follow: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'transfer-encoding': 'chunked' });
    let pos = 0;
    let left = false;
    req.on('close', () => { left = true; });
    const buf = Buffer.alloc(1 << 16);
    for (;;) {
      const ended = c.phase === 'terminated';
      try {
        const fd = openSync(c.log, 'r');
        try {
          for (let n = readSync(fd, buf, 0, buf.length, pos); n > 0; n = readSync(fd, buf, 0, buf.length, pos)) {
            res.write(Buffer.from(buf.subarray(0, n)));
            pos += n;
          }
        } finally {
          closeSync(fd);
        }
      } catch {
        break;
      }
      if (!follow || ended || left) break;
      await sleep(100);
    }
    res.end();
  }

  const server = createServer(function serve(req, res) {
    const u = new URL(req.url ?? '/', 'http://runner');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(u.pathname);
    if (req.method !== 'GET' || !m) return fail(res, 404, 'NotFound', `the test pod runner serves pods and pods/log only (${req.method} ${u.pathname})`);
    const [, ns, name, log] = m;
    const r = find(ns, name);
    if (!r) return fail(res, 404, 'NotFound', `pods "${name}" not found`);
    if (!log) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ ...r.pod, status: statusOf(r) }));
    }
    const all = [...r.init, ...r.main];
    const want = u.searchParams.get('container') ?? (all.length === 1 ? all[0].spec.name : '');
    const c = all.find((x) => x.spec.name === want);
    if (!c) return fail(res, 400, 'BadRequest', `container ${want} is not valid for pod ${name}`);
    if (c.phase === 'waiting') return fail(res, 400, 'BadRequest', `container "${want}" in pod "${name}" is waiting to start: ${c.waiting?.reason ?? 'PodInitializing'}`);
    void streamLog(c, u.searchParams.get('follow') === 'true', req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  void watchLoop();

  return {
    url,
    async stop() {
      closed = true;
      watchAbort.abort();
      const all = [...runs.values()];
      for (const r of all) r.halt('deleted');
      await removePods(podman, all.map((r) => r.podmanPod));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
