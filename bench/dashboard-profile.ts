// Where the time to a usable 200-task run page goes: loads the page as bench/dashboard.ts does,
// with the chromium DevTools protocol's CPU profiler on, and prints the requests (resource timing),
// the time to usable, and the functions with the most self time, grouped by script.
// Usage: node bench/dashboard-profile.ts [--loads N] [--throttle RATE] [--trace] [--cold] [--quiet]
//                                       [--variants A.html,B.html]
//   --throttle 4 slows the page's CPU fourfold (Emulation.setCPUThrottlingRate): a stand-in for a
//   machine busy with other work, so a change can be judged without waiting for a noisy one.
//   --cold clears the page's storage before each load (no graph layout kept from an earlier visit).
//   --variants: index.html files of builds whose assets are all in dashboard/dist/assets; the loads
//   take turns between them (each variant copied over dashboard/dist/index.html, restored at the
//   end), so two builds are compared under the same load of a shared machine.
//   --quiet prints only the time of each load.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { call, startServer } from './serve.ts';
import { bigPipelineRun, dashboardSkip, waitDone } from './dashboard.ts';
import { median } from './taskrun.ts';

declare const document: { querySelectorAll(s: string): { length: number }; querySelector(s: string): unknown };
declare const performance: { now(): number; getEntriesByType(t: string): any[] };

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Self time per function (ms), the heaviest first. */
export function selfTimes(p: Profile): { fn: string; ms: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url.split('/').pop() || '(native)';
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self].map(([fn, ms]) => ({ fn, ms })).sort((a, b) => b.ms - a.ms);
}

interface TraceEvent { name: string; ph: string; dur?: number; tdur?: number; ts: number; pid: number; tid: number; args?: any }

/**
 * Self time per event name on the renderer's main thread (an event's time less its children's), in
 * the thread's own CPU time where the trace gives it (time spent waiting for a busy machine's CPU
 * is not counted), and the total CPU time of the thread's top-level events.
 */
export function threadTimes(events: TraceEvent[]): [string, number][] {
  const names = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}/${e.tid}`, `${e.args?.name} (${e.pid})`]));
  const out = new Map<string, number>();
  const ends = new Map<string, number>();
  for (const e of events.filter((x) => x.ph === 'X' && x.dur !== undefined).sort((a, b) => a.ts - b.ts)) {
    const k = `${e.pid}/${e.tid}`;
    if (e.ts < (ends.get(k) ?? -1)) continue;
    ends.set(k, e.ts + e.dur!);
    const n = names.get(k) ?? k;
    out.set(n, (out.get(n) ?? 0) + (e.tdur ?? e.dur!) / 1000);
  }
  return [...out].sort((a, b) => b[1] - a[1]);
}

export function mainThreadTimes(events: TraceEvent[]): [string, number][] {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const mine = events.filter((e) => e.ph === 'X' && e.dur !== undefined && main && e.pid === main.pid && e.tid === main.tid).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const out = new Map<string, number>();
  const stack: TraceEvent[] = [];
  const add = (n: string, us: number) => out.set(n, (out.get(n) ?? 0) + us / 1000);
  const cpu = (e: TraceEvent) => e.tdur ?? e.dur!;
  for (const e of mine) {
    while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= e.ts) stack.pop();
    add(e.name, cpu(e));
    if (stack.length) add(stack.at(-1)!.name, -cpu(e));
    else add('(all, main thread CPU)', cpu(e));
    stack.push(e);
  }
  return [...out].sort((a, b) => b[1] - a[1]);
}

/** CPU time (ms, user + system) of the processes descended from `root`, except `exclude`'s tree (Linux /proc). */
export function treeCpuMs(root: number, exclude = -1, withRoot = false): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      ticks.set(Number(d), Number(f[11]) + Number(f[12]));
    } catch { /* gone meanwhile */ }
  }
  const inTree = (p: number): boolean => {
    for (let q = p; q > 1; q = parent.get(q) ?? 0) {
      if (q === exclude) return false;
      if (q === root) return true;
    }
    return false;
  };
  let sum = 0;
  for (const [p, t] of ticks) if ((withRoot || p !== root) && inTree(p)) sum += t;
  return sum * 10; // USER_HZ is 100 on Linux
}

/** Total time per function (ms, itself and what it calls, each sample counted once per function). */
export function totalTimes(p: Profile): { fn: string; ms: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = new Map<string, number>();
  const label = (f: ProfileNode['callFrame']) => `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() || '(native)'}:${f.lineNumber + 1}`;
  p.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const k = label(byId.get(n)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
    }
  });
  return [...total].map(([fn, ms]) => ({ fn, ms })).filter((x) => !x.fn.includes('(native)') && !x.fn.startsWith('(root)')).sort((a, b) => b.ms - a.ms);
}

if (import.meta.main) {
  const skip = dashboardSkip();
  if (skip) throw new Error(skip);
  const arg = (n: string, d: number) => (process.argv.includes(n) ? Number(process.argv[process.argv.indexOf(n) + 1]) : d);
  const loads = arg('--loads', 3);
  const throttle = arg('--throttle', 1);
  const trace = process.argv.includes('--trace');
  const cold = process.argv.includes('--cold');
  const quiet = process.argv.includes('--quiet');
  const vi = process.argv.indexOf('--variants');
  const variants = vi > 0 ? process.argv[vi + 1].split(',') : [''];
  const indexFile = new URL('../dashboard/dist/index.html', import.meta.url);
  const original = readFileSync(indexFile);
  const dataDir = mkdtempSync(join(tmpdir(), 'kiln-prof-dash-'));
  const agent = new Agent({ keepAlive: true });
  const server = await startServer(dataDir, agent);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  try {
    const ns = '/apis/tekton.dev/v1/namespaces/default';
    await call(agent, 'POST', `${server.url}${ns}/pipelineruns`, JSON.stringify(bigPipelineRun(200, 10)));
    await waitDone(agent, server.url, `${ns}/pipelineruns/big`);
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
    await page.goto(`${server.url}/`); // warm: the server's first answers, chromium's cache of nothing
    const usable = new Map<string, number[]>(variants.map((v) => [v, []]));
    const cpuUse = new Map<string, number[]>(variants.map((v) => [v, []]));
    for (let i = 0; i < loads * variants.length; i++) {
      const variant = variants[i % variants.length];
      if (variant) copyFileSync(variant, indexFile);
      if (cold) await cdp.send('Storage.clearDataForOrigin', { origin: server.url, storageTypes: 'local_storage' });
      await page.goto('about:blank');
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      const events: TraceEvent[] = [];
      if (trace) {
        cdp.on('Tracing.dataCollected', (d) => { events.push(...(d.value as unknown as TraceEvent[])); });
        await cdp.send('Tracing.start', { categories: 'devtools.timeline,v8.execute,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
      }
      const cpu0 = treeCpuMs(process.pid, server.child.pid);
      const srv0 = treeCpuMs(server.child.pid!, -1, true);
      const t0 = performance.now();
      await page.goto(`${server.url}/#/runs/default/big`);
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length >= 200 && !!document.querySelector('.logline'), undefined, { timeout: 60_000, polling: 'raf' });
      const ms = performance.now() - t0;
      const browserCpu = treeCpuMs(process.pid, server.child.pid) - cpu0;
      const serverCpu = treeCpuMs(server.child.pid!, -1, true) - srv0;
      cpuUse.get(variant)!.push(browserCpu);
      usable.get(variant)!.push(ms);
      const { profile } = await cdp.send('Profiler.stop') as { profile: Profile };
      if (trace) {
        const complete = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
        await cdp.send('Tracing.end');
        await complete;
      }
      const res = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => ({ name: e.name as string, start: e.startTime as number, end: e.responseEnd as number, size: e.transferSize as number })));
      const nav = await page.evaluate(() => performance.getEntriesByType('navigation').map((e) => ({ end: e.responseEnd as number, dcl: e.domContentLoadedEventEnd as number }))[0]);
      const now = await page.evaluate(() => performance.now());
      const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((e) => `${(e.startTime as number).toFixed(0)} ${e.name}`));
      console.log(marks.join('\n'));
      if (quiet) {
        const cpu = `, chromium CPU ${browserCpu} ms, kiln serve CPU ${serverCpu} ms${trace ? `, renderer main thread CPU ${mainThreadTimes(events)[0][1].toFixed(0)} ms` : ''}`;
        console.log(`load ${i + 1}${variant ? ` (${variant})` : ''}: usable after ${ms.toFixed(0)} ms${cpu}`);
        continue;
      }
      console.log(`\nload ${i + 1}${variant ? ` (${variant})` : ''}: usable after ${ms.toFixed(0)} ms (page clock ${now.toFixed(0)} ms; document ${nav.end.toFixed(0)} ms, DOMContentLoaded ${nav.dcl.toFixed(0)} ms)`);
      for (const r of res) console.log(`  ${r.start.toFixed(0).padStart(5)} → ${r.end.toFixed(0).padStart(5)} ms  ${String(r.size).padStart(8)} B  ${r.name.replace(server.url, '').slice(0, 110)}`);
      const top = selfTimes(profile);
      const total = top.reduce((s, x) => s + x.ms, 0);
      console.log(`  CPU samples ${total.toFixed(0)} ms (idle included); heaviest self times:`);
      for (const t of top.slice(0, 25)) console.log(`  ${t.ms.toFixed(1).padStart(7)} ms  ${t.fn}`);
      if (process.argv.includes('--totals')) {
        console.log('  heaviest total times (with callees):');
        for (const t of totalTimes(profile).slice(0, 60)) console.log(`  ${t.ms.toFixed(1).padStart(7)} ms  ${t.fn}`);
      }
      if (trace) {
        console.log('  main thread by trace event (self ms):');
        for (const [name, ms] of mainThreadTimes(events).slice(0, 15)) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${name}`);
        console.log('  threads (CPU ms of top-level trace events):');
        for (const [name, ms] of threadTimes(events).slice(0, 12)) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${name}`);
      }
    }
    for (const [v, ms] of usable) console.log(`usable${v ? ` (${v})` : ''}: median ${median(ms).toFixed(0)} ms of ${ms.length}, min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}; chromium CPU median ${median(cpuUse.get(v)!).toFixed(0)} ms (CPU throttled ×${throttle}${cold ? ', storage cleared before each load' : ''})`);
  } finally {
    writeFileSync(indexFile, original);
    await browser.close();
    server.child.kill('SIGTERM');
    await server.stopped;
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
