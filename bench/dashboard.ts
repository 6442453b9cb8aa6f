// Dashboard benchmark in the same headless chromium as the e2e tests, over a real
// `kiln serve --insecure-loopback-only`: navigation → a 200-task PipelineRun's page usable (every
// graph node and the first log line drawn), and a 100,000-line log scrolled end to end (frame times).
// Usage: node bench/dashboard.ts [--iterations N]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { call, percentile, sleep, startServer } from './serve.ts';
import { median, type Row } from './taskrun.ts';

const CHROMIUM = '/usr/bin/chromium';

/** Why the dashboard cannot be timed here (no Debian chromium, no built dashboard), or ''. */
export function dashboardSkip(): string {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (.ci/run installs Debian's chromium)`;
  if (!existsSync(new URL('../dashboard/dist/index.html', import.meta.url))) return 'the dashboard is not built (npm run build:dashboard)';
  return '';
}
// what the functions evaluated in the page use (this project's type-check has no DOM library)
declare const document: { querySelectorAll(s: string): { length: number }; querySelector(s: string): any };
declare function requestAnimationFrame(cb: () => void): number;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export function bigPipelineRun(tasks: number, width: number) {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'big', namespace: 'default' },
    spec: {
      pipelineSpec: {
        tasks: Array.from({ length: tasks }, (_, i) => ({
          name: `t${i}`,
          runAfter: i >= width ? [`t${i - width}`] : [],
          taskSpec: { steps: [{ name: 's', image: 'alpine', script: `echo task ${i}` }] },
        })),
      },
    },
  };
}

const LOG_LINES = 100_000;
const longLog = {
  apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'long-log', namespace: 'default' },
  spec: { taskSpec: { steps: [{ name: 'print', image: 'alpine', script: `awk 'BEGIN { for (i = 1; i <= ${LOG_LINES}; i++) printf "line %d \\033[32mok\\033[0m building module %d of the project\\n", i, i }'` }] } },
};

export async function waitDone(agent: Agent, url: string, path: string): Promise<void> {
  for (;;) {
    const r = await call(agent, 'GET', `${url}${path}`);
    const c = JSON.parse(r.body).status?.conditions?.find((x: { type: string }) => x.type === 'Succeeded');
    if (c && c.status !== 'Unknown') {
      if (c.status !== 'True') throw new Error(`${path} did not succeed: ${c.message}`);
      return;
    }
    await sleep(250);
  }
}

export async function dashboardBench({ iterations = 5 } = {}): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiln-bench-dash-'));
  const agent = new Agent({ keepAlive: true });
  const server = await startServer(dataDir, agent);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const tr = '/apis/tekton.dev/v1/namespaces/default';
    await call(agent, 'POST', `${server.url}${tr}/pipelineruns`, JSON.stringify(bigPipelineRun(200, 10)));
    await call(agent, 'POST', `${server.url}${tr}/taskruns`, JSON.stringify(longLog));
    await waitDone(agent, server.url, `${tr}/pipelineruns/big`);
    await waitDone(agent, server.url, `${tr}/taskruns/long-log`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'PipelineRuns' }).waitFor();
    const cdp = await context.newCDPSession(page);
    const load0 = loadavg()[0];
    const usable: number[] = [];
    const placed: number[] = [];
    const again: number[] = [];
    const open = async () => {
      await page.goto('about:blank');
      const t0 = performance.now();
      await page.goto(`${server.url}/#/runs/default/big`);
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length >= 200 && !!document.querySelector('.logline'), undefined, { timeout: 60_000, polling: 'raf' });
      const ms = performance.now() - t0;
      await page.waitForFunction(() => !!document.querySelector('[data-layout=elk]'), undefined, { timeout: 60_000, polling: 'raf' });
      return [ms, performance.now() - t0];
    };
    for (let i = 0; i < iterations; i++) {
      // a first visit: no layout of this graph's shape kept from an earlier page
      await cdp.send('Storage.clearDataForOrigin', { origin: server.url, storageTypes: 'local_storage' });
      const [ms, elkMs] = await open();
      usable.push(ms);
      placed.push(elkMs);
      // the same page again (or another run of the same Pipeline): elk's positions are kept
      again.push((await open())[0]);
    }
    const load1 = loadavg()[0];

    await page.goto(`${server.url}/#/taskruns/default/long-log`);
    const t0 = performance.now();
    await page.getByText(`${LOG_LINES} lines`, { exact: true }).waitFor({ timeout: 120_000 });
    const loadMs = performance.now() - t0;
    await page.getByLabel('Follow').uncheck();
    const scroll = await page.evaluate(async () => {
      const el = document.querySelector('[data-testid=log]');
      el.scrollTop = 0;
      await new Promise<void>((r) => requestAnimationFrame(() => r()));
      return new Promise<{ frames: number[]; total: number }>((resolve) => {
        const frames: number[] = [];
        const start = performance.now();
        let last = start;
        const step = () => {
          const t = performance.now();
          frames.push(t - last);
          last = t;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return resolve({ frames, total: t - start });
          el.scrollTop += 6000;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      });
    });
    const frames = scroll.frames.slice(1);
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    return [
      { name: 'dashboard: navigation → 200-task run page usable, median', value: ms(median(usable)), note: `200 graph nodes (quick layering) and the first log line drawn, first visit (no layout kept); ${iterations} loads, max ${ms(Math.max(...usable))}; target ≤ 1 s; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}` },
      { name: 'dashboard: navigation → 200-task run page usable again, median', value: ms(median(again)), note: `elk's positions for this graph's shape kept from the first visit; max ${ms(Math.max(...again))}` },
      { name: 'dashboard: navigation → 200-task graph placed by elk, median', value: ms(median(placed)), note: 'first visit: elk layered layout in a web worker, then re-fitted' },
      { name: 'dashboard: 100,000-line log loaded and drawn', value: ms(loadMs), note: 'navigation → all lines received (finished TaskRun, kept log file)' },
      { name: 'dashboard: 100,000-line log scrolled end to end, longest frame', value: ms(Math.max(...frames)), note: `${frames.length} frames of 6,000 px, p95 ${ms(percentile(frames, 0.95))}, ${frames.filter((f) => f > 100).length} over 100 ms, ${ms(scroll.total)} in all; target no frame over 100 ms` },
    ];
  } finally {
    await browser.close();
    server.child.kill('SIGTERM');
    await server.stopped;
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const skip = dashboardSkip();
  if (skip) {
    console.log(`dashboard: skipped (${skip})`);
    process.exit(0);
  }
  const i = process.argv.indexOf('--iterations');
  for (const r of await dashboardBench({ iterations: i > 0 ? Number(process.argv[i + 1]) : 5 })) console.log(`${r.name}: ${r.value}${r.note ? `  (${r.note})` : ''}`);
}
