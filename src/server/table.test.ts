import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { findKind } from '../api/registry.ts';
import { columnsOf, humanDuration, partialMetadata, toTable } from './table.ts';

const NOW = new Date('2025-01-10T12:00:00Z');
const kind = (k: string) => findKind(k)!;

const run = (name: string, status: Record<string, unknown>): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'TaskRun',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: '2025-01-10T11:00:00Z' },
  spec: {}, status,
});

describe('columnsOf', () => {
  const cases = [
    { name: 'runs: the columns Tekton CRDs declare', kind: 'TaskRun', want: [['Name', 'string', 'name'], ['Succeeded', 'string', ''], ['Reason', 'string', ''], ['StartTime', 'date', ''], ['CompletionTime', 'date', '']] },
    { name: 'PipelineRun as TaskRun', kind: 'PipelineRun', want: [['Name', 'string', 'name'], ['Succeeded', 'string', ''], ['Reason', 'string', ''], ['StartTime', 'date', ''], ['CompletionTime', 'date', '']] },
    { name: 'ConfigMap', kind: 'ConfigMap', want: [['Name', 'string', 'name'], ['Data', 'integer', ''], ['Age', 'date', '']] },
    { name: 'Secret', kind: 'Secret', want: [['Name', 'string', 'name'], ['Type', 'string', ''], ['Data', 'integer', ''], ['Age', 'date', '']] },
    { name: 'ServiceAccount', kind: 'ServiceAccount', want: [['Name', 'string', 'name'], ['Secrets', 'integer', ''], ['Age', 'date', '']] },
    { name: 'Namespace', kind: 'Namespace', want: [['Name', 'string', 'name'], ['Status', 'string', ''], ['Age', 'date', '']] },
    { name: 'PersistentVolumeClaim: kubectl\'s columns', kind: 'PersistentVolumeClaim', want: [['Name', 'string', 'name'], ['Status', 'string', ''], ['Volume', 'string', ''], ['Capacity', 'string', ''], ['Access Modes', 'string', ''], ['StorageClass', 'string', ''], ['Age', 'date', '']] },
    { name: 'kinds without columns: Name and Age', kind: 'Task', want: [['Name', 'string', 'name'], ['Age', 'date', '']] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const cols = columnsOf(kind(c.kind));
      assert.deepEqual(cols.map((x) => [x.name, x.type, x.format]), c.want);
      for (const x of cols) {
        assert.deepEqual(Object.keys(x).sort(), ['description', 'format', 'name', 'priority', 'type'], 'no cell function leaks into the JSON');
        assert.equal(x.priority, 0);
        assert.ok(x.description.length > 0);
      }
    });
  }
});

describe('toTable', () => {
  it('runs: Succeeded condition, reason and times', () => {
    const objects = [
      run('done', {
        startTime: '2025-01-10T11:58:00Z', completionTime: '2025-01-10T11:59:15Z',
        conditions: [{ type: 'Other', status: 'False' }, { type: 'Succeeded', status: 'True', reason: 'Succeeded' }],
      }),
      run('pending', {}),
    ];
    const t = toTable(kind('TaskRun'), objects, { now: NOW, resourceVersion: '42' });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '42' });
    assert.deepEqual(t.columnDefinitions, columnsOf(kind('TaskRun')));
    assert.deepEqual(t.rows.map((r) => r.cells), [
      ['done', 'True', 'Succeeded', '2m', '45s'],
      ['pending', '', '', '', ''],
    ]);
  });

  it('rows carry PartialObjectMetadata by default, the object with Object, nothing with None', () => {
    const o = run('r', {});
    assert.deepEqual(toTable(kind('TaskRun'), [o], { now: NOW }).rows[0].object, {
      kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata,
    });
    assert.equal(toTable(kind('TaskRun'), [o], { now: NOW, include: 'Object' }).rows[0].object, o);
    const none = toTable(kind('TaskRun'), [o], { now: NOW, include: 'None' }).rows[0];
    assert.equal(Object.hasOwn(none, 'object'), false);
  });

  it('noHeaders drops the column definitions but not the cells; no resourceVersion, empty metadata', () => {
    const t = toTable(kind('Task'), [{ apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 't', creationTimestamp: '2025-01-10T11:59:30Z' } }], { now: NOW, noHeaders: true });
    assert.deepEqual(t.columnDefinitions, []);
    assert.deepEqual(t.metadata, {});
    assert.deepEqual(t.rows[0].cells, ['t', '30s']);
  });

  const core: Array<{ name: string; kind: string; object: Record<string, unknown>; want: unknown[] }> = [
    { name: 'ConfigMap counts data and binaryData', kind: 'ConfigMap', object: { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, want: ['x', 3, '10d'] },
    { name: 'Secret type defaults to Opaque', kind: 'Secret', object: { data: { a: 'AA==' } }, want: ['x', 'Opaque', 1, '10d'] },
    { name: 'Secret type as given', kind: 'Secret', object: { type: 'kubernetes.io/basic-auth' }, want: ['x', 'kubernetes.io/basic-auth', 0, '10d'] },
    { name: 'ServiceAccount counts secrets', kind: 'ServiceAccount', object: { secrets: [{ name: 'a' }, { name: 'b' }] }, want: ['x', 2, '10d'] },
    { name: 'Namespace phase defaults to Active', kind: 'Namespace', object: {}, want: ['x', 'Active', '10d'] },
    { name: 'Namespace phase as given', kind: 'Namespace', object: { status: { phase: 'Terminating' } }, want: ['x', 'Terminating', '10d'] },
    { name: 'PVC phase defaults to Pending', kind: 'PersistentVolumeClaim', object: {}, want: ['x', 'Pending', '', '', '', '', '10d'] },
    {
      name: 'PVC bound: volume, capacity, access modes as kubectl abbreviates them, storage class',
      kind: 'PersistentVolumeClaim',
      object: { spec: { volumeName: 'pv-1', storageClassName: 'fast' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod', 'Other'] } },
      want: ['x', 'Bound', 'pv-1', '1Gi', 'RWO,ROX,RWX,RWOP,Other', 'fast', '10d'],
    },
  ];
  for (const c of core) {
    it(c.name, () => {
      const o = { apiVersion: 'v1', kind: c.kind, metadata: { name: 'x', creationTimestamp: '2024-12-31T12:00:00Z' }, ...c.object } as KObject;
      assert.deepEqual(toTable(kind(c.kind), [o], { now: NOW }).rows[0].cells, c.want);
    });
  }

  it('ages: empty when absent, <unknown> when unparsable', () => {
    const o = (ts: unknown) => ({ apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'x', creationTimestamp: ts } }) as KObject;
    assert.deepEqual(toTable(kind('Task'), [o(undefined), o('yesterday'), o(3)], { now: NOW }).rows.map((r) => r.cells[1]), ['', '<unknown>', '']);
  });

  it('partialMetadata', () => {
    const o = run('r', { x: 1 });
    assert.deepEqual(partialMetadata(o), { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata });
  });
});

describe('humanDuration (Kubernetes duration.HumanDuration)', () => {
  const S = 1000;
  const M = 60 * S;
  const H = 60 * M;
  const D = 24 * H;
  const cases = [
    { name: 'in the future beyond the skew', ms: -2 * S, want: '<invalid>' },
    { name: 'a skew under 2s is now', ms: -1.9 * S, want: '0s' },
    { name: 'a skew of 1s is now', ms: -1 * S, want: '0s' },
    { name: 'zero', ms: 0, want: '0s' },
    { name: 'seconds up to 2 minutes', ms: 119 * S + 999, want: '119s' },
    { name: 'minutes and seconds under 10 minutes', ms: 3 * M + 20 * S, want: '3m20s' },
    { name: 'whole minutes', ms: 5 * M, want: '5m' },
    { name: 'minutes up to 3 hours', ms: 179 * M, want: '179m' },
    { name: 'hours and minutes under 8 hours', ms: 4 * H + 5 * M + 30 * S, want: '4h5m' },
    { name: 'whole hours', ms: 3 * H, want: '3h' },
    { name: 'hours up to 48', ms: 47 * H + 59 * M, want: '47h' },
    { name: 'days and hours under 8 days', ms: 3 * D + 4 * H, want: '3d4h' },
    { name: 'whole days', ms: 2 * D, want: '2d' },
    { name: 'days up to 2 years', ms: 729 * D, want: '729d' },
    { name: 'years and days under 8 years', ms: 2 * 365 * D + 30 * D, want: '2y30d' },
    { name: 'whole years', ms: 3 * 365 * D, want: '3y' },
    { name: 'years', ms: 9 * 365 * D + 100 * D, want: '9y' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(humanDuration(c.ms), c.want));
});

describe('toTable for trigger records and listeners', () => {
  it('Events show when, type, reason, the object and the message (kubectl get events)', () => {
    const ev: KObject = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'github.e1.0', namespace: 'ns', creationTimestamp: '2025-01-10T11:59:00Z' },
      involvedObject: { kind: 'EventListener', name: 'github' }, reason: 'TriggerRejected', type: 'Warning',
      message: 'trigger on-push: interceptor github rejected the event: payload signature check failed', lastTimestamp: '2025-01-10T11:59:30Z',
    };
    const t = toTable(kind('Event'), [ev], { now: NOW });
    assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    assert.deepEqual(t.rows[0].cells, ['30s', 'Warning', 'TriggerRejected', 'eventlistener/github', ev.message]);
  });
  it('EventListeners show their address and Ready condition', () => {
    const el: KObject = {
      apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'github', namespace: 'ns', creationTimestamp: '2025-01-10T11:00:00Z' },
      spec: {}, status: { address: { url: 'https://127.0.0.1:7443/hooks/ns/github' }, conditions: [{ type: 'Ready', status: 'True', reason: 'ListenerReady' }] },
    };
    assert.deepEqual(toTable(kind('EventListener'), [el], { now: NOW }).rows[0].cells, ['github', 'https://127.0.0.1:7443/hooks/ns/github', 'True', 'ListenerReady', '60m']);
  });
});
