import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectRef } from '../gitops/cluster/destination.ts';
import { install, uninstall, type InstallTarget } from './cluster.ts';
import { manifests } from './manifests.ts';
import { DEFAULT_OPTIONS, type InstallOptions } from './options.ts';

type Obj = Record<string, any>;
const key = (r: ObjectRef) => `${r.apiVersion}/${r.kind}/${r.namespace}/${r.name}`;
const refOf = (o: Obj): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name });

/** A Kubernetes API in memory; `establish(name, gets)`: a CRD reports Established after that many reads. */
function fakeApi(opts: { establishAfter?: number; conditions?: (name: string) => Obj[] | undefined } = {}) {
  const objects = new Map<string, Obj>();
  const reads = new Map<string, number>();
  const target: InstallTarget & { objects: Map<string, Obj>; applies: number } = {
    server: 'https://cluster.test', objects, applies: 0,
    async get(ref) {
      const o = objects.get(key(ref));
      if (!o) return null;
      const n = (reads.get(key(ref)) ?? 0) + 1;
      reads.set(key(ref), n);
      if (o.kind === 'CustomResourceDefinition') {
        const given = opts.conditions?.(o.metadata.name);
        const conditions = given ?? (n > (opts.establishAfter ?? 0) ? [{ type: 'Established', status: 'True' }] : []);
        return { ...o, status: { conditions } };
      }
      return o;
    },
    async apply(obj) {
      target.applies++;
      const k = key(refOf(obj));
      const old = objects.get(k);
      // server-side apply: the applier's labels win over the ones there
      objects.set(k, { ...old, ...structuredClone(obj), metadata: { ...old?.metadata, ...(obj as Obj).metadata } });
      return 'configured';
    },
    async delete(ref) {
      return objects.delete(key(ref));
    },
  };
  return target;
}

function run(target: InstallTarget, o: { timeoutMs?: number; force?: boolean } = {}) {
  const lines: string[] = [];
  let clock = 0;
  let sleeps = 0;
  return {
    lines,
    sleeps: () => sleeps,
    go: (opts: InstallOptions = DEFAULT_OPTIONS) => install(opts, {
      target, log: (l) => lines.push(l), now: () => clock, sleep: async (ms) => { sleeps++; clock += ms; }, ...o,
    }),
  };
}

describe('install', () => {
  it('creates every object, then a re-run configures the same ones (nothing duplicated)', async () => {
    const api = fakeApi();
    const first = run(api);
    assert.equal(await first.go(), 0);
    const count = manifests(DEFAULT_OPTIONS).length;
    assert.equal(api.objects.size, count);
    assert.equal(first.lines.filter((l) => l.endsWith(' created')).length, count);
    const again = run(api);
    assert.equal(await again.go(), 0);
    assert.equal(api.objects.size, count);
    assert.equal(again.lines.filter((l) => l.endsWith(' configured')).length, count);
    assert.match(again.lines.at(-1)!, /kiln installed in namespace kiln on https:\/\/cluster\.test/);
  });

  it('waits for the CRDs to be Established before the rest', async () => {
    const api = fakeApi({ establishAfter: 3 });
    const r = run(api);
    assert.equal(await r.go(), 0);
    assert.ok(r.sleeps() >= 2, `polled (${r.sleeps()} pauses)`);
    assert.ok(!r.lines.some((l) => l.startsWith('warning')));
  });

  it('does not hang on an API that never says Established: a bounded wait, then a warning', async () => {
    const r = run(fakeApi({ conditions: () => [] }), { timeoutMs: 5_000 });
    assert.equal(await r.go(), 0);
    assert.ok(r.sleeps() <= 11, `${r.sleeps()} pauses of 500 ms within 5 s`);
    assert.match(r.lines.join('\n'), /warning: not Established after 5s: applications\.argoproj\.io/);
  });

  it('an API that serves the kinds itself (kiln serve) is no failure; names refused elsewhere are', async () => {
    const served = run(fakeApi({ conditions: () => [{ type: 'NamesAccepted', status: 'False', reason: 'ServedByKiln' }] }));
    assert.equal(await served.go(), 0);
    assert.equal(served.sleeps(), 0);
    const clash = run(fakeApi({ conditions: (n) => (n === 'tasks.tekton.dev' ? [{ type: 'NamesAccepted', status: 'False', reason: 'NameConflict', message: 'tasks is taken' }] : undefined) }));
    assert.equal(await clash.go(), 1);
    assert.match(clash.lines.join('\n'), /error: customresourcedefinition\.apiextensions\.k8s\.io\/tasks\.tekton\.dev: names not accepted: tasks is taken/);
  });

  it('refuses to take over CRDs another installer made (Tekton\'s), unless forced', async () => {
    const api = fakeApi();
    api.objects.set('apiextensions.k8s.io/v1/CustomResourceDefinition//tasks.tekton.dev', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'tasks.tekton.dev', labels: { 'app.kubernetes.io/part-of': 'tekton-pipelines' } },
    });
    const r = run(api);
    assert.equal(await r.go(), 1);
    assert.match(r.lines[0], /tasks\.tekton\.dev exist and were not installed by kiln.*--force/);
    assert.equal(api.applies, 0, 'nothing applied');
    assert.equal(await run(api, { force: true }).go(), 0);
  });

  it('an upgrade without --gitops-in-cluster removes the wide role an earlier install made', async () => {
    const api = fakeApi();
    await run(api).go({ ...DEFAULT_OPTIONS, gitopsInCluster: true });
    assert.ok([...api.objects.keys()].some((k) => k.includes('kiln-gitops-deployer')));
    const r = run(api);
    await r.go();
    assert.ok(![...api.objects.keys()].some((k) => k.includes('kiln-gitops-deployer')));
    assert.match(r.lines.join('\n'), /clusterrole\.rbac\.authorization\.k8s\.io\/kiln-gitops-deployer deleted \(no longer wanted\)/);
  });
});

describe('uninstall', () => {
  it('deletes what install made, keeps CRDs and data and says so; objects it did not make stay', async () => {
    const api = fakeApi();
    await run(api).go();
    const svc = [...api.objects.values()].find((o) => o.kind === 'Service')!;
    svc.metadata.labels = { owner: 'someone-else' };
    const lines: string[] = [];
    assert.equal(await uninstall(DEFAULT_OPTIONS, {}, { target: api, log: (l) => lines.push(l) }), 0);
    const left = [...api.objects.values()].map((o) => o.kind).sort();
    assert.deepEqual([...new Set(left)], ['CustomResourceDefinition', 'Namespace', 'PersistentVolumeClaim', 'Service']);
    assert.match(lines.join('\n'), /service\/kiln -n kiln kept: not installed by kiln/);
    assert.match(lines.join('\n'), /kept: the 16 CustomResourceDefinitions[\s\S]*kept: namespace kiln and its volume kiln-data/);
    await uninstall(DEFAULT_OPTIONS, { deleteCrds: true, deleteData: true }, { target: api, log: () => {} });
    assert.deepEqual([...api.objects.values()].map((o) => o.metadata.name), ['kiln'], 'only the Service someone else owns');
  });
});
