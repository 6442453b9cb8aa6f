// Randomised scenarios (seeded, so every run is the same): whatever the waves, kinds and hooks, a sync applies
// every desired object once, in (phase, wave) order, prunes every extra tracked object in reverse wave order,
// and runs PostSync hooks only after every Sync-phase object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCluster, obj, runOperation } from './testkit.ts';
import { withTracking } from './tracking.ts';
import type { Obj } from './types.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const KINDS: [string, string][] = [['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'Service'], ['apps/v1', 'Deployment'], ['example.com/v1', 'Widget']];
const PHASE = { PreSync: 0, Sync: 1, PostSync: 2 } as Record<string, number>;

test('random syncs keep Argo CD ordering invariants', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const r = rng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const desired: Obj[] = [];
    const meta = new Map<string, { phase: string; wave: number }>();
    const n = 1 + Math.floor(r() * 8);
    for (let i = 0; i < n; i++) {
      const [av, kind] = pick(KINDS);
      const wave = Math.floor(r() * 5) - 2;
      const hook = r() < 0.25 ? pick(['PreSync', 'PostSync', 'Sync']) : undefined;
      const name = `o${i}`;
      const ann: Record<string, string> = { 'argocd.argoproj.io/sync-wave': String(wave) };
      if (hook) ann['argocd.argoproj.io/hook'] = hook;
      desired.push(hook ? obj('batch/v1', 'Job', name, ann) : obj(av, kind, name, ann));
      meta.set(name, { phase: hook ?? 'Sync', wave });
    }
    const extra: Obj[] = [];
    const pruneWave = new Map<string, number>();
    for (let i = 0; i < Math.floor(r() * 4); i++) {
      const wave = Math.floor(r() * 5) - 2;
      pruneWave.set(`x${i}`, wave);
      extra.push(withTracking({ ...obj('v1', 'ConfigMap', `x${i}`), metadata: { name: `x${i}`, namespace: 'dest', annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } } }, 'app'));
    }
    const c = new FakeCluster(extra);
    c.evolve = (o) => (o.kind === 'Job' && !o.status ? { ...o, status: { conditions: [{ type: 'Complete', status: 'True' }] } } : o);
    const run = runOperation(c, { appName: 'app', namespace: 'dest', revision: 'r', desired }, { prune: true }, { maxSteps: 100 });
    const where = `seed ${seed}: ${c.log.join(', ')}`;
    assert.equal(run.state.phase, 'Succeeded', `${where} → ${run.state.message}`);
    const applies = c.log.filter((l) => l.startsWith('apply ')).map((l) => l.split('/')[1]);
    assert.deepEqual([...applies].sort(), [...meta.keys()].sort(), `every desired object applied once: ${where}`);
    const rank = (name: string) => PHASE[meta.get(name)!.phase] * 100 + meta.get(name)!.wave;
    for (let i = 1; i < applies.length; i++) assert.ok(rank(applies[i - 1]) <= rank(applies[i]), `apply order: ${where}`);
    const prunes = c.log.filter((l) => l.startsWith('prune ')).map((l) => l.split('/')[1]);
    assert.deepEqual([...prunes].sort(), [...pruneWave.keys()].sort(), `every extra object pruned: ${where}`);
    for (let i = 1; i < prunes.length; i++) assert.ok(pruneWave.get(prunes[i - 1])! >= pruneWave.get(prunes[i])!, `reverse prune order: ${where}`);
    // each prune runs in the mirrored slot of the distinct prune waves, among the Sync-phase applies
    const waves = [...new Set(pruneWave.values())].sort((a, b) => a - b);
    const at = (l: string) => c.log.indexOf(l);
    for (const [name, w] of pruneWave) {
      const slot = waves[waves.length - 1 - waves.indexOf(w)];
      for (const [other, m] of meta) {
        const before = m.phase === 'PreSync' || (m.phase === 'Sync' && m.wave < slot);
        const after = m.phase === 'PostSync' || (m.phase === 'Sync' && m.wave > slot);
        const kind = desired.find((d) => (d.metadata as Obj).name === other)!.kind;
        if (before) assert.ok(at(`apply ${kind}/${other}`) < at(`prune ConfigMap/${name}`), `${other} before prune ${name}: ${where}`);
        if (after) assert.ok(at(`apply ${kind}/${other}`) > at(`prune ConfigMap/${name}`), `${other} after prune ${name}: ${where}`);
      }
    }
  }
});
