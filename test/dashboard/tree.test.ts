// The Applications page's resource tree: resources, then the live objects they own, with health.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childHealth, deploysHere, resourceTree, type AppResource } from '../../dashboard/src/tree.ts';
import type { KObj } from '../../dashboard/src/api.ts';

const owned = (kind: string, name: string, owner: [string, string] | undefined, status: unknown = {}, spec: unknown = {}): KObj =>
  ({ kind, metadata: { name, namespace: 'demo', ...(owner ? { ownerReferences: [{ kind: owner[0], name: owner[1] }] } : {}) }, status, spec } as KObj);

describe('Application resource tree', () => {
  const resources: AppResource[] = [
    { group: '', kind: 'Service', namespace: 'demo', name: 'web', status: 'Synced', health: { status: 'Healthy' } },
    { group: 'apps', kind: 'Deployment', namespace: 'demo', name: 'web', status: 'OutOfSync', health: { status: 'Progressing' } },
  ];
  const live = [
    owned('Pod', 'web-abc-2', ['ReplicaSet', 'web-abc'], { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }] }),
    owned('Pod', 'web-abc-1', ['ReplicaSet', 'web-abc'], { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }),
    owned('ReplicaSet', 'web-abc', ['Deployment', 'web'], { readyReplicas: 1 }, { replicas: 2 }),
    owned('ReplicaSet', 'other', ['Deployment', 'elsewhere']),
    owned('Pod', 'loose', undefined),
  ];

  it('puts each live object under its owner, depth-first, with its health', () => {
    const rows = resourceTree(resources, live);
    assert.deepEqual(rows.map((r) => `${'  '.repeat(r.depth)}${r.kind}/${r.name} ${r.health?.status ?? ''}`), [
      'Service/web Healthy',
      'Deployment/web Progressing',
      '  ReplicaSet/web-abc Progressing',
      '    Pod/web-abc-1 Healthy',
      '    Pod/web-abc-2 Degraded',
    ]);
    assert.equal(rows[1].resource?.status, 'OutOfSync', 'top-level rows carry the sync status and diff');
    assert.equal(rows[2].resource, undefined);
    assert.equal(rows[4].health?.message, 'ImagePullBackOff');
  });

  it('does not loop on owner cycles and matches owners in their namespace only', () => {
    const a = owned('ReplicaSet', 'a', ['ReplicaSet', 'b']);
    const b = owned('ReplicaSet', 'b', ['ReplicaSet', 'a']);
    const rows = resourceTree([{ kind: 'ReplicaSet', namespace: 'demo', name: 'a' }], [a, b]);
    assert.deepEqual(rows.map((r) => r.name), ['a', 'b']);
    assert.deepEqual(resourceTree([{ kind: 'Deployment', namespace: 'prod', name: 'web' }], live).length, 1);
  });

  it('judges Jobs, and knows which destinations it can list', () => {
    assert.equal(childHealth(owned('Job', 'j', undefined, { conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }] })).status, 'Degraded');
    assert.equal(childHealth(owned('Job', 'j', undefined, { conditions: [{ type: 'Complete', status: 'True' }] })).status, 'Healthy');
    assert.equal(deploysHere({ server: 'https://kubernetes.default.svc' }), true);
    assert.equal(deploysHere({ name: 'in-cluster' }), true);
    assert.equal(deploysHere({ server: 'https://prod.example.test:6443' }), false);
  });
});
