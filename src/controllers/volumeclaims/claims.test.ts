// Claims from volumeClaimTemplate bindings: their names, owners, labels, spec and status; created
// once per run, AlreadyExists accepted, an invalid name failing the run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from '../../api/core.types.ts';
import { PVC } from '../../api/registry.ts';
import type { WorkspaceBinding } from '../../api/workspace.types.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { boundStatus, claimFromTemplate, claimsFromTemplates, CLAIM_FINALIZER, createClaimMaker, type ClaimOwner } from './claims.ts';

const UID = '8e9c6a8e-0d49-4a3c-9b8e-2f7c1d3b5a10';
const owner: ClaimOwner = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'build', namespace: 'team', uid: UID } };
const template = (extra: object = {}): WorkspaceBinding => ({
  name: 'source',
  // the template is an ObjectMeta + spec: labels and annotations too
  volumeClaimTemplate: { metadata: { labels: { app: 'ci' }, annotations: { note: 'x' } }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } }, ...extra } as WorkspaceBinding['volumeClaimTemplate'],
});

describe('claimFromTemplate', () => {
  test('the claim Tekton creates: named from binding and owner uid, owned, labelled from the template, Bound', () => {
    assert.deepEqual(claimFromTemplate(template(), owner), {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        // sha256("source" + UID) by sha256sum
        name: 'pvc-d2124232d9',
        namespace: 'team',
        labels: { app: 'ci' },
        annotations: { note: 'x' },
        ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'build', uid: UID, controller: true, blockOwnerDeletion: true }],
        finalizers: [CLAIM_FINALIZER],
      },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Bound', accessModes: ['ReadWriteMany'], capacity: { storage: '1Gi' } },
    });
  });

  test('the template name prefixes the claim; other bindings make none', () => {
    const named = template({ metadata: { name: 'data' } });
    assert.equal(claimFromTemplate(named, owner)?.metadata.name, 'data-d2124232d9');
    assert.deepEqual(claimsFromTemplates([{ name: 'e', emptyDir: {} }, named, { name: 'p', persistentVolumeClaim: { claimName: 'mine' } }], owner).map((c) => c.metadata.name), ['data-d2124232d9']);
    assert.deepEqual(claimsFromTemplates(undefined, owner), []);
  });

  test('the claim does not share the owner\'s template objects', () => {
    const b = template();
    const c = claimFromTemplate(b, owner)!;
    (c.spec as { accessModes: string[] }).accessModes.push('ReadOnlyMany');
    c.metadata.labels!.app = 'changed';
    assert.deepEqual((b.volumeClaimTemplate as { spec: { accessModes: string[] } }).spec.accessModes, ['ReadWriteMany']);
    assert.equal((b.volumeClaimTemplate as { metadata: { labels: Record<string, string> } }).metadata.labels.app, 'ci');
  });
});

describe('boundStatus', () => {
  const rows: Array<{ name: string; spec: unknown; want: unknown }> = [
    { name: 'modes and storage from the spec', spec: { accessModes: ['ReadOnlyMany'], resources: { requests: { storage: '5Mi' } } }, want: { phase: 'Bound', accessModes: ['ReadOnlyMany'], capacity: { storage: '5Mi' } } },
    { name: 'no modes: ReadWriteOnce; no request: no capacity', spec: {}, want: { phase: 'Bound', accessModes: ['ReadWriteOnce'] } },
    { name: 'a numeric request is a quantity too', spec: { resources: { requests: { storage: 1024 } } }, want: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1024' } } },
    { name: 'garbage is ignored', spec: { accessModes: 'RWO', resources: [] }, want: { phase: 'Bound', accessModes: ['ReadWriteOnce'] } },
    { name: 'no spec', spec: undefined, want: { phase: 'Bound', accessModes: ['ReadWriteOnce'] } },
  ];
  for (const r of rows) test(r.name, () => assert.deepEqual(boundStatus(r.spec), r.want));
});

/** A store that counts creates. */
function counting(store: Store): Store & { creates: number } {
  const s = Object.create(store) as Store & { creates: number };
  s.creates = 0;
  s.create = (t, o) => { s.creates++; return store.create(t, o); };
  return s;
}

describe('createClaimMaker', () => {
  test('creates the claims once per run; a claim that exists already is fine (a restart)', async () => {
    const store = counting(createMemoryStore());
    const bindings = [template(), template({ metadata: { name: 'cache' } })];
    assert.equal(await createClaimMaker(store).ensure(owner, bindings), undefined);
    const { items } = await store.list<PersistentVolumeClaim>(PVC, { namespace: 'team' });
    assert.deepEqual(items.map((c) => [c.metadata.name, (c.status as { phase: string }).phase]), [['cache-d2124232d9', 'Bound'], ['pvc-d2124232d9', 'Bound']]);
    const maker = createClaimMaker(store); // as after a restart: the claims exist
    assert.equal(await maker.ensure(owner, bindings), undefined);
    assert.equal(store.creates, 4);
    assert.equal(await maker.ensure(owner, bindings), undefined);
    assert.equal(store.creates, 4, 'made once per run');
  });

  test('a template name that makes an invalid claim name fails the run (user error)', async () => {
    const got = await createClaimMaker(createMemoryStore()).ensure(owner, [template({ metadata: { name: 'Not_Valid' } })]);
    assert.equal(got?.reason, 'CouldntCreateWorkspacePVC');
    assert.equal(got!.message, `[User error] Failed to create PVC for PipelineRun team/build correctly: PersistentVolumeClaim "Not_Valid-d2124232d9" is invalid: metadata.name: Invalid value: "Not_Valid-d2124232d9": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
  });
});
