// Remote resolution per run: the same git `taskRef` resolved N times through kiln's resolution
// service (createKilnResolution, as `kiln run` and `kiln serve` build it). By commit the object comes
// from the warm cache (a copy per run); by branch each run fetches again (git over a loopback
// daemon, or the API mode against a loopback server answering as GitHub's API).
// Usage: node bench/resolution.ts [--runs 1000]   (also `npm run bench -- --only resolution`)
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Secret } from '../src/api/core.types.ts';
import type { Param } from '../src/api/param.types.ts';
import type { KObject } from '../src/api/meta.ts';
import { SECRET, TASKRUN } from '../src/api/registry.ts';
import { createKilnResolution } from '../src/resolution/index.ts';
import { ownerOf, type RemoteResolution, type RequestOwner } from '../src/resolution/resolver.ts';
import { makeRepo, startGitDaemon } from '../src/resolution/testing.ts';
import { startFakeScm } from '../src/resolution/testing-scm.ts';
import { createMemoryStore } from '../src/store/memory.ts';
import { median, type Row } from './taskrun.ts';

const TASK = `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: build}
spec:
  params: [{name: revision, default: main}, {name: image, default: busybox}]
  results: [{name: digest}]
  steps:
${Array.from({ length: 5 }, (_, i) => `    - name: step-${i}\n      image: $(params.image)\n      script: |\n        echo building $(params.revision) part ${i}\n        printf sha > $(results.digest.path)\n`).join('')}`;

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

/**
 * Times `runs` resolutions of `params` after one to warm up; fails loudly on the first failure. With
 * `owners`, run i asks as owners[i] (its ResolutionRequest is created and completed within the time).
 */
async function timeResolve(resolution: RemoteResolution, params: Record<string, string>, runs: number, owners?: RequestOwner[]): Promise<{ median: number; p95: number }> {
  const req = { resolver: 'git', namespace: 'bench', kind: 'Task' as const, params: Object.entries(params).map(([name, value]): Param => ({ name, value })) };
  const warm = await resolution.resolve(req);
  if (!warm.ok) throw new Error(warm.message);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const asked = owners ? { ...req, owner: owners[i] } : req;
    const t0 = performance.now();
    const r = await resolution.resolve(asked);
    times.push(performance.now() - t0);
    if (!r.ok) throw new Error(r.message);
  }
  return { median: median(times), p95: p95(times) };
}

const ms = (x: number) => `${x < 1 ? x.toFixed(3) : x.toFixed(1)} ms`;

export async function resolutionBench({ runs = 1000 }: { runs?: number } = {}): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-res-'));
  const repo = makeRepo('catalog.git', dir);
  const commit = repo.commit({ 'task/build/build.yaml': TASK });
  const daemon = await startGitDaemon(dirname(repo.dir));
  const scm = await startFakeScm({ 'tektoncd/catalog': { refs: { main: commit }, files: { [commit]: { 'task/build/build.yaml': TASK } }, cloneUrl: 'https://github.com/tektoncd/catalog.git' } }, 'bench-token');
  try {
    const store = createMemoryStore();
    const token: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gh', namespace: 'bench' }, stringData: { token: 'bench-token' } };
    await store.create(SECRET, token);
    const resolution = createKilnResolution({ store, dataDir: join(dir, 'data'), offline: true });
    const path = 'task/build/build.yaml';
    const fetches = Math.max(10, Math.round(runs / 20));
    const file = await timeResolve(resolution, { url: `file://${repo.dir}`, revision: commit, pathInRepo: path }, runs);
    const owners: RequestOwner[] = [];
    for (let i = 0; i < runs; i++) owners.push(ownerOf(await store.create<KObject>(TASKRUN, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: `run-${i}`, namespace: 'bench' }, spec: {} }))!);
    const recorded = await timeResolve(resolution, { url: `file://${repo.dir}`, revision: commit, pathInRepo: path }, runs, owners);
    const daemonCommit = await timeResolve(resolution, { url: `${daemon.url}/catalog.git`, revision: commit, pathInRepo: path }, runs);
    const api = { org: 'tektoncd', repo: 'catalog', pathInRepo: path, token: 'gh', serverURL: scm.url };
    const apiCommit = await timeResolve(resolution, { ...api, revision: commit }, runs);
    const branch = await timeResolve(resolution, { url: `${daemon.url}/catalog.git`, revision: 'main', pathInRepo: path }, fetches);
    const apiBranch = await timeResolve(resolution, { ...api, revision: 'main' }, fetches);
    return [
      { name: 'git taskRef by commit, warm cache (file://), per run', value: ms(file.median), note: `p95 ${ms(file.p95)}; ${runs} runs; target ≤ 5 ms` },
      { name: '  by commit, warm cache, recorded as the run\'s ResolutionRequest', value: ms(recorded.median), note: `p95 ${ms(recorded.p95)}; a new run each time (create + status in the memory store)` },
      { name: '  by commit, warm cache (git:// daemon on loopback)', value: ms(daemonCommit.median), note: `p95 ${ms(daemonCommit.p95)}` },
      { name: '  API mode by commit, warm cache (GitHub API on loopback)', value: ms(apiCommit.median), note: `p95 ${ms(apiCommit.p95)}` },
      { name: '  by branch: shallow git fetch each run (git:// daemon)', value: ms(branch.median), note: `p95 ${ms(branch.p95)}; ${fetches} runs` },
      { name: '  API mode by branch: 3 API calls each run (loopback)', value: ms(apiBranch.median), note: `p95 ${ms(apiBranch.p95)}; ${fetches} runs` },
    ];
  } finally {
    await daemon.stop();
    await scm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const rows = await resolutionBench({ runs: i >= 0 ? Number(process.argv[i + 1]) : 1000 });
  for (const r of rows) console.log(`${r.name.padEnd(60)}  ${r.value.padStart(10)}  ${r.note ?? ''}`);
}
