// CDEvents cost: what recording and delivering a TaskRun's events adds on kiln's thread, with a
// sink configured. N TaskRuns go from created to running to succeeded in a SQLite store, once
// without CDEvents and once with them (outbox recording + delivery to a sink answering 202 at
// once, so only kiln's side is measured: deriving the events, two outbox writes, the CloudEvents
// encoding, two status writes). Reports the added wall and CPU time per TaskRun and events/s.
// Usage: node bench/events.ts [--runs N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASKRUN } from '../src/api/registry.ts';
import { createCDEvents } from '../src/controllers/cdevents/controller.ts';
import { createSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';

const i = process.argv.indexOf('--runs');
const N = i >= 0 ? Number(process.argv[i + 1]) : 500;

async function lifecycle(store: Store, n: number, prefix: string): Promise<void> {
  for (let k = 0; k < n; k++) {
    const tr = await store.create(TASKRUN, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: `${prefix}-${k}`, namespace: 'bench' }, spec: {} });
    const running = await store.updateStatus(TASKRUN, { ...tr, status: { startTime: new Date().toISOString(), conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] } });
    await store.updateStatus(TASKRUN, { ...running, status: { ...running.status as object, completionTime: new Date().toISOString(), conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }] } });
  }
}

async function measure(withEvents: boolean): Promise<{ wallMs: number; cpuMs: number; events: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-events-'));
  const store = createSqliteStore({ path: join(dir, 'kiln.db') });
  const ce = withEvents ? createCDEvents({ store, sinks: [{ url: 'http://sink.invalid/' }], source: { source: 'https://kiln.bench', apiBase: 'https://kiln.bench' }, post: async () => ({ status: 202 }) }) : undefined;
  await ce?.start();
  await lifecycle(store, 20, 'warm');
  await ce?.idle();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await lifecycle(store, N, 'run');
  if (ce) for (;;) { await ce.idle(); await new Promise((r) => setTimeout(r, 20)); if (ce.recorded() >= 2 * (N + 20)) { await ce.idle(); break; } }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const events = ce ? ce.recorded() - 40 : 0;
  await ce?.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, events };
}

/** Events/s when kiln starts with N finished TaskRuns not yet recorded: reconcile, record and deliver them all. */
async function burst(): Promise<{ ms: number; events: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-events-'));
  const store = createSqliteStore({ path: join(dir, 'kiln.db') });
  await lifecycle(store, N, 'done');
  const ce = createCDEvents({ store, sinks: [{ url: 'http://sink.invalid/' }], source: { source: 'https://kiln.bench', apiBase: 'https://kiln.bench' }, post: async () => ({ status: 202 }) });
  const t0 = performance.now();
  await ce.start();
  for (;;) { await ce.idle(); if (ce.recorded() >= 2 * N) { await ce.idle(); break; } await new Promise((r) => setTimeout(r, 5)); }
  const ms = performance.now() - t0;
  const events = ce.recorded();
  await ce.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms, events };
}

const base = await measure(false);
const withEvents = await measure(true);
const per = (x: number) => (x / N).toFixed(3);
console.log(`TaskRuns: ${N} (each: create, running, succeeded) in SQLite; sink answers 202 at once`);
console.log(`without CDEvents: ${per(base.wallMs)} ms wall, ${per(base.cpuMs)} ms CPU per TaskRun`);
console.log(`with a sink:      ${per(withEvents.wallMs)} ms wall, ${per(withEvents.cpuMs)} ms CPU per TaskRun (${withEvents.events} events)`);
console.log(`added per TaskRun: ${per(withEvents.wallMs - base.wallMs)} ms wall, ${per(withEvents.cpuMs - base.cpuMs)} ms CPU; ${Math.round(withEvents.events / (withEvents.wallMs / 1000))} events/s recorded and delivered`);
const b = await burst();
console.log(`catch-up after a start with ${N} finished TaskRuns unrecorded: ${b.events} events recorded and delivered in ${b.ms.toFixed(0)} ms, ${Math.round(b.events / (b.ms / 1000))} events/s`);
