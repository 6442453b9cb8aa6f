// API server benchmarks: a real `kiln serve --insecure-loopback-only` child process over loopback
// HTTP: create throughput with a few clients in flight, the delay from a create to its ADDED event
// on a watch, and the server's memory (VmRSS) and start-up time, idle and with 10,000 stored runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../src/api/meta.ts';
import { PIPELINERUN } from '../src/api/registry.ts';
import { createSqliteStore } from '../src/store/sqlite.ts';
import { call as httpCall, percentile, sleep, startServer, stopServer, watchEvents, type Reply, type Server } from './serve.ts';
import { median, type Row } from './taskrun.ts';

const CREATES = 2000;
const IN_FLIGHT = 8;
const WATCH_ITERATIONS = 200;
const STORED_RUNS = 10_000;

const now = () => performance.now();

function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]) * 1024;
}

/** CPU time used so far by `pid`, in clock ticks (utime + stime). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Waits until the process has used (almost) no CPU for 3 windows of 200 ms in a row (at most 15 s). */
async function settle(pid: number): Promise<void> {
  const until = now() + 15_000;
  let quiet = 0;
  let last = cpuTicks(pid);
  while (quiet < 3 && now() < until) {
    await sleep(200);
    const t = cpuTicks(pid);
    quiet = t - last <= 1 ? quiet + 1 : 0;
    last = t;
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function call(method: string, url: string, body?: unknown): Promise<Reply> {
  return httpCall(agent, method, url, body === undefined ? undefined : JSON.stringify(body));
}

function configMap(name: string): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench' } }, data: { key: 'value', 'config.yaml': 'a: 1\nb: [x, y]\n' } };
}

async function createConfigMap(base: string, ns: string, name: string): Promise<void> {
  const r = await call('POST', `${base}/api/v1/namespaces/${ns}/configmaps`, configMap(name));
  if (r.status !== 201) throw new Error(`POST configmap ${name}: ${r.status} ${r.body}`);
}

/** `count` creates from `inFlight` concurrent clients; creates/s over the wall time and each one's latency. */
async function createThroughput(base: string, prefix: string, count: number, inFlight: number): Promise<{ perSecond: number; ms: number[] }> {
  const ms: number[] = [];
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < count) {
      const i = next++;
      const t = now();
      await createConfigMap(base, 'bench', `${prefix}-${i}`);
      ms.push(now() - t);
    }
  }));
  return { perSecond: count / ((now() - t0) / 1000), ms };
}

/** A watch from the list's resourceVersion; each create's time until its ADDED event is read. */
async function watchLatency(base: string, iterations: number): Promise<number[]> {
  const ns = 'bench-watch';
  const waiting = new Map<string, () => void>();
  const arrived = new Map<string, number>();
  const stop = await watchEvents(agent, base, `/api/v1/namespaces/${ns}/configmaps`, (type, object: KObject) => {
    if (type !== 'ADDED') return;
    const name = object.metadata.name!;
    arrived.set(name, now());
    waiting.get(name)?.();
  });
  const ms: number[] = [];
  try {
    for (let i = 0; i < iterations + 10; i++) { // the first 10 warm up
      const name = `w-${i}`;
      const t0 = now();
      const seen = new Promise<void>((r) => waiting.set(name, r));
      // the event may come before the POST's response: time the event, wait for both
      await Promise.all([createConfigMap(base, ns, name), arrived.has(name) ? undefined : seen]);
      if (i >= 10) ms.push(arrived.get(name)! - t0);
      waiting.delete(name);
    }
  } finally {
    stop();
  }
  return ms;
}

/** A finished 3-task PipelineRun as kiln leaves it: spec, resolved pipelineSpec, child references, times. */
function finishedPipelineRun(i: number): KObject {
  const tasks = ['fetch', 'build', 'test'].map((t, j) => ({
    name: t,
    ...(j > 0 ? { runAfter: [['fetch', 'build'][j - 1]] } : {}),
    params: [{ name: 'revision', value: '$(params.revision)' }],
    taskSpec: { params: [{ name: 'revision', type: 'string' }], steps: [{ name: t, image: 'busybox', script: `echo ${t} $(params.revision)\n` }] },
  }));
  const start = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
  const end = new Date(start.getTime() + 42_000);
  const name = `run-${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace: 'bench', labels: { 'tekton.dev/pipeline': name, app: 'bench' } },
    spec: {
      params: [{ name: 'revision', value: `rev-${i}` }],
      pipelineSpec: { params: [{ name: 'revision', type: 'string' }], tasks },
      timeouts: { pipeline: '1h0m0s' },
    },
    status: {
      conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'Tasks Completed: 3 (Failed: 0, Cancelled 0), Skipped: 0', lastTransitionTime: end.toISOString() }],
      startTime: start.toISOString(),
      completionTime: end.toISOString(),
      pipelineSpec: { params: [{ name: 'revision', type: 'string' }], tasks },
      childReferences: tasks.map((t) => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: `${name}-${t.name}`, pipelineTaskName: t.name })),
    },
  };
}

/** Writes `count` finished PipelineRuns straight into the SQLite file of a (stopped) server. */
async function seedRuns(dataDir: string, count: number): Promise<void> {
  const store = createSqliteStore({ path: join(dataDir, 'kiln.db') });
  try {
    for (let i = 0; i < count; i++) await store.create(PIPELINERUN, finishedPipelineRun(i));
  } finally {
    await store.close();
  }
}

const f = (ms: number) => `${ms.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Starts the server on `dataDir` `times` times (the last one is left running); the median start time. */
async function startMedian(dataDir: string, times: number): Promise<{ server: Server; startMs: number }> {
  const ms: number[] = [];
  for (let i = 1; ; i++) {
    const s = await startServer(dataDir, agent);
    ms.push(s.startMs);
    if (i === times) return { server: s, startMs: median(ms) };
    await stopServer(s);
  }
}

export async function apiBench(): Promise<Row[]> {
  const emptyDir = mkdtempSync(join(tmpdir(), 'kiln-bench-api-'));
  const fullDir = mkdtempSync(join(tmpdir(), 'kiln-bench-api-10k-'));
  try {
    const idle = await startMedian(emptyDir, 3);
    const pid = idle.server.child.pid!;
    let rssIdle: number, rssAfter: number;
    let creates: { perSecond: number; ms: number[] };
    let watch: number[];
    try {
      await settle(pid);
      rssIdle = procStatus(pid, 'VmRSS');
      await createThroughput(idle.server.url, 'warm', 100, IN_FLIGHT);
      creates = await createThroughput(idle.server.url, 'cm', CREATES, IN_FLIGHT);
      watch = await watchLatency(idle.server.url, WATCH_ITERATIONS);
      await settle(pid);
      rssAfter = procStatus(pid, 'VmRSS');
    } finally {
      await stopServer(idle.server);
    }

    const t0 = now();
    await seedRuns(fullDir, STORED_RUNS);
    const seedMs = now() - t0;
    const full = await startMedian(fullDir, 3);
    let rssFull: number;
    try {
      await settle(full.server.child.pid!);
      rssFull = procStatus(full.server.child.pid!, 'VmRSS');
    } finally {
      await stopServer(full.server);
    }

    const runs = STORED_RUNS.toLocaleString('en');
    const kb = (JSON.stringify(finishedPipelineRun(0)).length / 1024).toFixed(1);
    const objects = (100 + CREATES + WATCH_ITERATIONS + 10).toLocaleString('en');
    return [
      { name: `API create throughput (ConfigMaps, ${IN_FLIGHT} in flight)`, value: `${creates.perSecond.toFixed(0)}/s`, note: `${CREATES} POSTs over loopback HTTP` },
      { name: '  create latency p50', value: f(median(creates.ms)), note: `p99 ${f(percentile(creates.ms, 0.99))}` },
      { name: 'watch latency, create → ADDED event, p50', value: f(percentile(watch, 0.5)), note: `${WATCH_ITERATIONS} creates, one at a time` },
      { name: '  watch latency p99', value: f(percentile(watch, 0.99)) },
      { name: '`kiln serve` start, empty store (spawn → /readyz ok)', value: f(idle.startMs), note: 'median of 3' },
      { name: '`kiln serve` RSS idle', value: mib(rssIdle), note: 'VmRSS once its CPU use settles' },
      { name: `  RSS after the ${objects} creates above`, value: mib(rssAfter) },
      { name: `\`kiln serve\` start with ${runs} stored PipelineRuns`, value: f(full.startMs), note: `finished 3-task runs of ${kb} KB JSON, written in ${(seedMs / 1000).toFixed(1)} s; median of 3` },
      { name: `  RSS with ${runs} stored PipelineRuns`, value: mib(rssFull), note: 'the controllers\' informers hold every run' },
    ];
  } finally {
    agent.destroy();
    rmSync(emptyDir, { recursive: true, force: true });
    rmSync(fullDir, { recursive: true, force: true });
  }
}
