// The reconciler against the memory store, a real git repository on disk and a destination kept in
// memory: compare, the status it writes, an automated sync applying the rendered objects, and a
// project refusing a kind.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../store/memory.ts';
import { createGitSource } from '../../gitops/source/index.ts';
import { commit, initRepo } from '../../gitops/source/testing.ts';
import type { Destination, Obj, ObjectRef } from '../../gitops/cluster/destination.ts';
import { APPLICATION, APPPROJECT } from './crds.ts';
import { createApplicationReconciler } from './reconciler.ts';
import type { KObject } from '../../api/meta.ts';

function memoryDestination(): Destination & { objects: Map<string, Obj> } {
  const objects = new Map<string, Obj>();
  const key = (apiVersion: string, kind: string, ns: string, name: string) => `${apiVersion}/${kind}/${ns}/${name}`;
  const md = (o: Obj) => (o.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };
  return {
    objects,
    server: 'https://kubernetes.default.svc',
    async namespaced() { return true; },
    async get(r: ObjectRef) { return structuredClone(objects.get(key(r.apiVersion, r.kind, r.namespace, r.name)) ?? null); },
    async list(apiVersion, kind, selector) {
      const [k, v] = selector.split('=');
      return [...objects.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind && md(o).labels?.[k] === v).map((o) => structuredClone(o));
    },
    async apply(o, req) {
      if (!req.dryRun) objects.set(key(String(o.apiVersion), String(o.kind), md(o).namespace ?? '', md(o).name ?? ''), structuredClone(o));
      return `${String(o.kind).toLowerCase()}/${md(o).name} configured`;
    },
    async mergePatch() {},
    async delete(r) { return objects.delete(key(r.apiVersion, r.kind, r.namespace, r.name)); },
  };
}

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`;

describe('the Application reconciler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-appctl-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const repo = join(dir, 'repo');
  initRepo(repo);
  const sha = commit(repo, { 'app/cm.yaml': cm('settings') }, 'first');

  async function run(project?: object) {
    const store = createMemoryStore();
    const dest = memoryDestination();
    const reconcile = createApplicationReconciler({ store, source: createGitSource({ cacheDir: join(dir, `cache-${Math.random()}`) }), inCluster: { server: dest.server }, destination: () => dest });
    if (project) await store.create(APPPROJECT, { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p', namespace: 'argocd' }, spec: project } as KObject);
    await store.create(APPLICATION, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'guestbook', namespace: 'argocd' },
      spec: { project: project ? 'p' : 'default', source: { repoURL: `file://${repo}`, targetRevision: 'main', path: 'app' }, destination: { server: dest.server, namespace: 'team' }, syncPolicy: { automated: {} } } } as KObject);
    const statuses: Array<Record<string, any>> = [];
    for (let i = 0; i < 8; i++) {
      await reconcile({ namespace: 'argocd', name: 'guestbook' });
      statuses.push((await store.get<KObject & { status: Record<string, any> }>(APPLICATION, 'argocd', 'guestbook')).status);
    }
    return { store, dest, statuses };
  }

  it('compares (OutOfSync, with a diff), syncs automatically, then reports Synced with the revision', async () => {
    const { dest, statuses } = await run();
    const first = statuses[0];
    assert.equal(first.sync.revision, sha);
    assert.equal(first.resources[0].kind, 'ConfigMap');
    const last = statuses.at(-1)!;
    assert.equal(last.sync.status, 'Synced', JSON.stringify(last));
    assert.equal(last.operationState.phase, 'Succeeded');
    assert.equal(last.sourceType, 'Directory');
    assert.equal(last.history.length, 1);
    const live = dest.objects.get('v1/ConfigMap/team/settings') as { metadata: { labels: Record<string, string> } };
    assert.equal(live.metadata.labels['app.kubernetes.io/instance'], 'guestbook');
    assert.ok(statuses.some((s) => s.resources?.[0]?.status === 'OutOfSync' && /\+\s+a: b/.test(s.resources[0].diff ?? '')), 'an OutOfSync entry carries its diff');
  });

  it('a kind the project blacklists is refused by the sync, naming the resource', async () => {
    const { dest, statuses } = await run({ sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], namespaceResourceBlacklist: [{ group: '', kind: 'ConfigMap' }] });
    assert.equal(dest.objects.size, 0);
    const op = statuses.at(-1)!.operationState;
    assert.match(op.message, /not valid, reason: ConfigMap\/settings: app\/cm\.yaml:1: resource :ConfigMap is not permitted in project p/);
  });
});
