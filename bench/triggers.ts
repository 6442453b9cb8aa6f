// Triggers benchmark: signed GitHub pushes (X-Hub-Signature-256, a distinct X-GitHub-Delivery
// each) to a real `kiln serve --insecure-loopback-only` child process over loopback HTTP, through
// a github interceptor (secretRef, eventTypes), a binding and a template creating a TaskRun. The
// figure is "signed webhook → first step started": the step itself is `date +%s%N` (the host's GNU
// date: the same machine's realtime clock, ns resolution; busybox date has no %N), read back from
// its log and compared with the wall time (performance.timeOrigin + now(), µs) just before the
// POST is written. Deliveries go one at a time (each TaskRun finished before the next POST), so
// this is latency, not queueing. The server's own timestamps (ms, truncated) split each delivery:
// the trigger's Event (written once the TaskRun was created), the TaskRun's startTime (handed to
// the executor) and its step's running.startedAt (just before the spawn). After each delivery the
// very same sandboxed step (bwrap argv recorded by the executor in-process) and a plain `date` are
// spawned straight from Node, as references under the same load. Then a burst from several
// clients gives 202s per second. KILN_BENCH_VERBOSE=1 prints every phase's percentiles;
// KILN_BENCH_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`) go to the server's node.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../src/api/meta.ts';
import { TASKRUN } from '../src/api/registry.ts';
import { createTaskRunController } from '../src/controllers/taskrun/controller.ts';
import { createProcessExecutor } from '../src/executor/process/executor.ts';
import type { SpawnTrace } from '../src/executor/process/launch.ts';
import { createMemoryStore } from '../src/store/memory.ts';
import { call as httpCall, percentile, startServer, stopServer, watchEvents, type Reply } from './serve.ts';
import { openFds } from './replay.ts';
import { median, type Row } from './taskrun.ts';

const DELIVERIES = 300;
const WARMUP = 10;
const BURST = 100;
const BURST_IN_FLIGHT = 8;
const NS = 'bench';
const SECRET = 'It is a secret to everybody';

/** Wall-clock ms with sub-ms resolution (performance.now() is monotonic; timeOrigin anchors it to the realtime clock). */
const wallMs = () => performance.timeOrigin + performance.now();

const agent = new Agent({ keepAlive: true, maxSockets: BURST_IN_FLIGHT });

function call(method: string, url: string, body?: string, headers: Record<string, string> = {}, onWrite?: () => void): Promise<Reply> {
  return httpCall(agent, method, url, body, headers, onWrite);
}

/** The listener and everything it uses, as the e2e test sets them up (a TaskRun instead of a PipelineRun). */
const RESOURCES: Array<[string, unknown]> = [
  [`/api/v1/namespaces/${NS}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'github-secret' }, stringData: { token: SECRET } }],
  [`/apis/tekton.dev/v1/namespaces/${NS}/tasks`, {
    apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'record-start' },
    spec: {
      params: [{ name: 'revision' }],
      // the step's own process is the clock: GNU date, realtime in ns, then the revision (checks the binding)
      steps: [{ name: 'started', image: 'busybox', command: ['date', '+%s%N $(params.revision)'] }],
    },
  }],
  [`/apis/triggers.tekton.dev/v1beta1/namespaces/${NS}/triggerbindings`, {
    apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'TriggerBinding', metadata: { name: 'github-push' },
    spec: { params: [{ name: 'revision', value: '$(body.head_commit.id)' }, { name: 'url', value: '$(body.repository.clone_url)' }] },
  }],
  [`/apis/triggers.tekton.dev/v1beta1/namespaces/${NS}/triggertemplates`, {
    apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'TriggerTemplate', metadata: { name: 'record-run' },
    spec: {
      params: [{ name: 'revision' }, { name: 'url' }],
      resourcetemplates: [{
        apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { generateName: 'push-' },
        spec: { taskRef: { name: 'record-start' }, params: [{ name: 'revision', value: '$(tt.params.revision)' }] },
      }],
    },
  }],
  [`/apis/triggers.tekton.dev/v1beta1/namespaces/${NS}/eventlisteners`, {
    apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'github' },
    spec: {
      triggers: [{
        name: 'on-push',
        interceptors: [{ ref: { name: 'github' }, params: [{ name: 'secretRef', value: { secretName: 'github-secret', secretKey: 'token' } }, { name: 'eventTypes', value: ['push'] }] }],
        bindings: [{ ref: 'github-push' }],
        template: { ref: 'record-run' },
      }],
    },
  }],
];

function push(i: number): { body: string; headers: Record<string, string>; revision: string } {
  const revision = createHmac('sha1', 'rev').update(String(i)).digest('hex');
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: revision,
    head_commit: { id: revision, message: `commit ${i}`, timestamp: '2026-12-01T12:00:00Z', author: { name: 'Octo Cat', email: 'octocat@example.test' } },
    repository: { full_name: 'acme/app', clone_url: 'https://example.test/acme/app.git', default_branch: 'main' },
    pusher: { name: 'octocat', email: 'octocat@example.test' },
    commits: [{ id: revision, message: `commit ${i}`, added: ['a.go'], modified: ['README.md'], removed: [] }],
  });
  const headers = {
    'x-github-event': 'push',
    'x-github-delivery': `bench-${process.pid}-${i}`,
    'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    'user-agent': 'GitHub-Hookshot/bench',
  };
  return { body, headers, revision };
}

interface Seen { created?: string; startTime?: string; running?: string; done?: { ok: boolean; reason?: string }; name?: string }

/** A watch of `path` from now on; `onObject` sees every ADDED/MODIFIED object. */
function watch(base: string, path: string, onObject: (o: any) => void): Promise<() => void> {
  return watchEvents(agent, base, path, (type, object) => {
    if (type === 'ADDED' || type === 'MODIFIED') onObject(object);
  });
}

/**
 * Per triggers event id, from watches of TaskRuns and Events: the server's timestamps (ms) of the
 * trigger's Event (written once the TaskRun was created), the TaskRun's startTime (the controller
 * handed it to the executor) and its step's running.startedAt, and how the run ended.
 */
async function follow(base: string): Promise<{ seen: Map<string, Seen>; changed: (cb: () => void) => void; stop: () => void }> {
  const seen = new Map<string, Seen>();
  let waiter: (() => void) | undefined;
  const of = (o: any): Seen | undefined => {
    const id = o.metadata.labels?.['triggers.tekton.dev/triggers-eventid'];
    if (!id) return undefined;
    const s = seen.get(id) ?? {};
    seen.set(id, s);
    return s;
  };
  const stops = await Promise.all([
    watch(base, `/apis/tekton.dev/v1/namespaces/${NS}/taskruns`, (o) => {
      const s = of(o);
      if (!s) return;
      s.name = o.metadata.name;
      s.startTime ??= o.status?.startTime;
      const step = o.status?.steps?.[0];
      s.running ??= step?.running?.startedAt ?? step?.terminated?.startedAt;
      const c = o.status?.conditions?.find((x: any) => x.type === 'Succeeded');
      if (c && c.status !== 'Unknown') s.done = { ok: c.status === 'True', reason: `${c.reason}: ${c.message}` };
      waiter?.();
    }),
    watch(base, `/api/v1/namespaces/${NS}/events`, (o) => {
      const s = of(o);
      if (!s) return;
      if (o.reason === 'TriggerAccepted') s.created ??= o.firstTimestamp;
      else s.done = { ok: false, reason: `the trigger was not accepted: ${o.reason}: ${o.message}` };
      waiter?.();
    }),
  ]);
  return { seen, changed: (cb) => (waiter = cb), stop: () => stops.forEach((f) => f()) };
}

/** The step's exact sandboxed command line (bwrap argv, env), recorded by the same executor in-process. */
async function recordStep(dataDir: string): Promise<SpawnTrace> {
  let trace: SpawnTrace | undefined;
  const executor = createProcessExecutor({ dataDir, network: 'none', trace: (t) => (trace = t) });
  const store = createMemoryStore();
  const controller = createTaskRunController({ store, executor, workers: 2 });
  await controller.start();
  try {
    const w = store.watch(TASKRUN, { namespace: NS });
    const run: KObject = { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'direct', namespace: NS }, spec: { taskSpec: { steps: [{ name: 'started', image: 'busybox', command: ['date', `+%s%N ${'0'.repeat(40)}`] }] } } };
    await store.create(TASKRUN, run);
    for await (const ev of w) {
      const c = (ev.object.status as { conditions?: Array<{ status: string; reason?: string }> } | undefined)?.conditions?.[0];
      if (c && c.status !== 'Unknown') {
        if (c.status !== 'True') throw new Error(`the in-process TaskRun failed: ${c.reason}`);
        break;
      }
    }
    w.stop();
  } finally {
    await controller.stop();
    await executor.close();
    await store.close();
  }
  // the executor removes secret-bearing dirs (creds/) when an attempt ends: put them back
  trace!.argv.forEach((a, i) => { if (a === '--bind' && !existsSync(trace!.argv[i + 1])) mkdirSync(trace!.argv[i + 1], { recursive: true }); });
  return trace!;
}

/** Node's spawn of argv → the clock its `date +%s%N` printed, ms. */
function spawnToClock(argv: string[], env?: Record<string, string>, cwd?: string, inherited?: SpawnTrace['fds']): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const fds = openFds({ fds: inherited });
    const t0 = wallMs();
    const child = spawn(argv[0], argv.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'inherit', ...fds.extra] });
    fds.close();
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const m = /^(\d{19})\b/.exec(out);
      if (code !== 0 || !m) reject(new Error(`${argv.join(' ')} exited ${code}, printed ${JSON.stringify(out)}`));
      else resolve(Number(BigInt(m[1]) / 1000n) / 1000 - t0);
    });
  });
}

interface Sample { total: number; accepted: number; processed: number; picked: number; prepared: number; spawned: number }

const f = (ms: number) => `${ms.toFixed(1)} ms`;

export async function triggersBench(): Promise<Row[]> {
  const directDir = mkdtempSync(join(tmpdir(), 'kiln-bench-triggers-direct-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'kiln-bench-triggers-'));
  let step: SpawnTrace;
  try {
    step = await recordStep(directDir);
  } catch (e) {
    rmSync(directDir, { recursive: true, force: true });
    throw e;
  }
  const direct: number[] = [];
  const plain: number[] = [];
  // steps in networks of their own (--unshare-net), as the recorded step replays them: a replay
  // cannot join the per-attempt network of --step-network=outside once its attempt is over
  const server = await startServer(dataDir, agent, process.env.KILN_BENCH_NODE_FLAGS?.split(' ').filter(Boolean), ['--step-network', 'none']);
  const base = server.url;
  const hook = `${base}/hooks/${NS}/github`;
  const samples: Sample[] = [];
  let burst: { acceptedPerSecond: number; processedPerSecond: number; p50: number };
  try {
    for (const [path, obj] of RESOURCES) {
      const r = await call('POST', base + path, JSON.stringify(obj));
      if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body}`);
    }
    const w = await follow(base);
    const until = (what: string, ok: () => boolean, ms = 10_000) => new Promise<void>((resolve, reject) => {
      if (ok()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\n${server.stderr()}`)), ms);
      w.changed(() => {
        if (ok()) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      // one at a time: POST, then wait until that delivery's TaskRun has finished before the next
      for (let i = 0; i < WARMUP + DELIVERIES; i++) {
        const d = push(i);
        let sent = 0;
        const r = await call('POST', hook, d.body, d.headers, () => (sent = wallMs()));
        const acceptedAt = wallMs();
        if (r.status !== 202) throw new Error(`delivery ${i}: ${r.status} ${r.body}`);
        const { eventID } = JSON.parse(r.body) as { eventID: string };
        await until(`delivery ${i}'s TaskRun to finish`, () => w.seen.get(eventID)?.done !== undefined && w.seen.get(eventID)?.created !== undefined);
        const s = w.seen.get(eventID)!;
        if (!s.done!.ok) throw new Error(`delivery ${i}: TaskRun ${s.name} failed: ${s.done!.reason}`);
        const log = await call('GET', `${base}/apis/tekton.dev/v1/namespaces/${NS}/taskruns/${s.name}/log?format=jsonl`);
        const line = log.body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { step: string; line: string })[0]?.line ?? '';
        const m = /^(\d{19}) ([0-9a-f]{40})$/.exec(line);
        if (!m) throw new Error(`delivery ${i}: the step printed ${JSON.stringify(line)}, not "<ns since epoch> <revision>" (is GNU date first on the step's PATH?)`);
        if (m[2] !== d.revision) throw new Error(`delivery ${i}: the step got revision ${m[2]}, expected ${d.revision}`);
        const stepMs = Number(BigInt(m[1]) / 1000n) / 1000;
        const [createdMs, startMs, runningMs] = [s.created, s.startTime, s.running].map((t) => Date.parse(t!));
        // paired references under the same load: the same sandboxed step spawned straight from Node, and plain date
        const d1 = await spawnToClock(step.argv, step.env, step.cwd, step.fds);
        const d2 = await spawnToClock(['date', '+%s%N']);
        if (i >= WARMUP) {
          direct.push(d1);
          plain.push(d2);
          samples.push({ total: stepMs - sent, accepted: acceptedAt - sent, processed: createdMs - sent, picked: startMs - createdMs, prepared: runningMs - startMs, spawned: stepMs - runningMs });
        }
      }

      // the burst: BURST deliveries from BURST_IN_FLIGHT clients; 202s per second, then until every TaskRun exists
      const ids: string[] = [];
      const acceptMs: number[] = [];
      let next = 0;
      const t0 = wallMs();
      await Promise.all(Array.from({ length: BURST_IN_FLIGHT }, async () => {
        while (next < BURST) {
          const d = push(100_000 + next++);
          const t = wallMs();
          const r = await call('POST', hook, d.body, d.headers);
          acceptMs.push(wallMs() - t);
          if (r.status !== 202) throw new Error(`burst delivery: ${r.status} ${r.body}`);
          ids.push((JSON.parse(r.body) as { eventID: string }).eventID);
        }
      }));
      const acceptedIn = wallMs() - t0;
      await until('every burst TaskRun to be created', () => ids.every((id) => w.seen.get(id)?.created !== undefined), 60_000);
      const processedIn = Math.max(...ids.map((id) => Date.parse(w.seen.get(id)!.created!))) - t0;
      await until('every burst TaskRun to finish', () => ids.every((id) => w.seen.get(id)?.done !== undefined), 60_000);
      const failed = ids.filter((id) => !w.seen.get(id)!.done!.ok);
      if (failed.length) throw new Error(`${failed.length} burst TaskRuns failed: ${w.seen.get(failed[0])!.done!.reason}`);
      burst = { acceptedPerSecond: BURST / (acceptedIn / 1000), processedPerSecond: BURST / (processedIn / 1000), p50: median(acceptMs) };
    } finally {
      w.stop();
    }
  } finally {
    agent.destroy();
    await stopServer(server).finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(directDir, { recursive: true, force: true });
    });
  }

  const col = (k: keyof Sample) => samples.map((s) => s[k]);
  const total = col('total');
  const firstLast = (xs: number[]) => `first 50 ${f(median(xs.slice(0, 50)))}, last 50 ${f(median(xs.slice(-50)))}`;
  if (process.env.KILN_BENCH_VERBOSE) {
    for (const k of ['total', 'accepted', 'processed', 'picked', 'prepared', 'spawned'] as const) {
      console.error(`${k.padEnd(10)} p50 ${f(median(col(k)))}  p90 ${f(percentile(col(k), 0.9))}  p99 ${f(percentile(col(k), 0.99))}  max ${f(Math.max(...col(k)))}  ${firstLast(col(k))}`);
    }
  }
  return [
    { name: 'signed GitHub push → first step started, p50', value: f(median(total)), note: `${DELIVERIES} deliveries one at a time, github interceptor + binding + template → TaskRun; target ≤ 25 ms` },
    { name: '  p99', value: f(percentile(total, 0.99)), note: `p90 ${f(percentile(total, 0.9))}` },
    { name: '  POST → 202 reply, p50', value: f(median(col('accepted'))), note: 'the sink answers before the triggers run' },
    { name: '  POST → TaskRun created (its trigger Event\'s timestamp), p50', value: f(median(col('processed'))), note: 'duplicate-delivery check, interceptor, binding, template, store create; server clock, ms' },
    { name: '  → TaskRun `startTime`, p50', value: f(median(col('picked'))), note: 'controller queue, taskRef resolution, plan; server clock, ms' },
    { name: '  → step `running.startedAt`, p50', value: f(median(col('prepared'))), note: 'executor: attempt directories, step preparation; server clock, ms' },
    { name: '  → step process clock, p50', value: f(median(col('spawned'))), note: 'spawn: worker thread, fork, bwrap sandbox, exec' },
    { name: '  same sandboxed step spawned directly from Node → its clock', value: f(median(direct)), note: `bwrap argv recorded by the executor; plain \`date\` without bwrap ${f(median(plain))}; ${DELIVERIES} each, one after each delivery` },
    { name: `webhook deliveries accepted (${BURST_IN_FLIGHT} in flight)`, value: `${burst.acceptedPerSecond.toFixed(0)}/s`, note: `${BURST} signed pushes; 202 p50 ${f(burst.p50)}` },
    { name: '  processed behind them (202 → TaskRun created)', value: `${burst.processedPerSecond.toFixed(0)}/s`, note: `all ${BURST} TaskRuns created` },
  ];
}
