// GitOps at scale: N Applications (each 3 small objects — ConfigMap, Service, Secret — from its own
// path of one repository) on a real `kiln serve`, synced into kiln's own API. Measures the cold
// sync of all, a no-op refresh cycle of all (every Application refreshed by one webhook push, nothing
// to change), and the server's peak RSS.
// Usage: node bench/gitops.ts [--apps 1000]   (also part of `npm run bench -- --only gitops`)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commit, initRepo } from '../src/gitops/source/testing.ts';
import type { Row } from './taskrun.ts';

const BIN = fileURLToPath(new URL('../bin/kiln.mjs', import.meta.url));
/** `--heap-snapshot DIR`: the server writes a heap snapshot there after the no-op cycle (where its memory goes) */
const SNAPSHOT = process.argv.includes('--heap-snapshot') ? process.argv[process.argv.indexOf('--heap-snapshot') + 1] : undefined;

async function startServe(dataDir: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...(SNAPSHOT ? [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${SNAPSHOT}`] : []), BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--insecure-loopback-only', '--app-resync', '3600'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /kiln serving on (\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`kiln serve exited ${code}: ${err}`)));
  });
  child.stderr!.resume();
  return { url, pid: child.pid!, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } };
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function listApps(url: string): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications`);
  return ((await res.json()) as { items: Array<Record<string, any>> }).items;
}

async function waitAll(url: string, what: string, ok: (a: Record<string, any>) => boolean, n: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const apps = await listApps(url);
    const done = apps.filter(ok).length;
    if (done === n) return;
    if (Date.now() > end) throw new Error(`${what}: ${done}/${n} after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function gitopsBench(opts: { apps: number }): Promise<Row[]> {
  const n = opts.apps;
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-gitops-'));
  const repo = join(dir, 'repo');
  initRepo(repo);
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    files[`apps/a${i}/cm.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  n: "${i}"\n`;
    files[`apps/a${i}/svc.yaml`] = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n`;
    files[`apps/a${i}/secret.yaml`] = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: t${i}\n`;
  }
  commit(repo, files, 'apps');
  const served = await startServe(join(dir, 'data'));
  try {
    const t0 = performance.now();
    for (let i = 0; i < n; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => fetch(`${served.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: `a${i + j}`, namespace: 'argocd' },
          spec: { source: { repoURL: `file://${repo}`, targetRevision: 'main', path: `apps/a${i + j}` }, destination: { server: 'https://kubernetes.default.svc', namespace: `ns${i + j}` }, syncPolicy: { automated: { prune: true } } } }),
      }).then(async (r) => { if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`); })));
    }
    await waitAll(served.url, 'cold sync', (a) => a.status?.operationState?.phase === 'Succeeded' && a.status?.sync?.status === 'Synced', n, 600_000);
    const cold = performance.now() - t0;
    // a no-op cycle: one push refreshes every Application; each compares again and finds nothing to do
    const before = new Map((await listApps(served.url)).map((a) => [a.metadata.name, a.status.reconciledAt]));
    const t1 = performance.now();
    const push = await fetch(`${served.url}/api/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      body: JSON.stringify({ ref: 'refs/heads/main', repository: { html_url: `file://${repo}`, default_branch: 'main' } }) });
    if (push.status !== 200) throw new Error(`webhook: ${push.status}`);
    await waitAll(served.url, 'no-op refresh', (a) => a.status?.reconciledAt !== before.get(a.metadata.name) && !a.metadata.annotations?.['argocd.argoproj.io/refresh'] && a.status?.sync?.status === 'Synced', n, 600_000);
    const noop = performance.now() - t1;
    const rss = peakRssMiB(served.pid);
    if (SNAPSHOT) {
      process.kill(served.pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 15_000));
    }
    return [
      { name: `gitops: cold sync of ${n} Applications (3 objects each)`, value: `${(cold / 1000).toFixed(1)} s`, note: `${(cold / n).toFixed(1)} ms per app` },
      { name: `gitops: no-op refresh of all ${n} (one webhook push)`, value: `${(noop / 1000).toFixed(1)} s`, note: 'target ≤ 5 s' },
      { name: 'gitops: server peak RSS', value: `${Math.round(rss)} MiB`, note: 'target ≤ 400 MiB' },
    ];
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--apps');
  const rows = await gitopsBench({ apps: i >= 0 ? Number(process.argv[i + 1]) : 1000 });
  for (const r of rows) console.log(`${r.name.padEnd(56)}  ${r.value.padStart(10)}  ${r.note ?? ''}`);
}
