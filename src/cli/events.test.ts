import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import type { KilnClient } from '../client/client.ts';
import { ANNOTATION_DELIVERY } from '../server/hooks.ts';
import { byTime, DELIVERY_ANNOTATION, lastSeen } from './events.ts';
import { getCommand, type RemoteDeps } from './remote.ts';

interface EventInit { rv: string; last?: string; first?: string; eventTime?: string; created?: string; reason?: string; about?: string; delivery?: string; message?: string; type?: string }

function ev(name: string, o: EventInit): KObject {
  return {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name, namespace: 'default', resourceVersion: o.rv, creationTimestamp: o.created, annotations: o.delivery ? { [DELIVERY_ANNOTATION]: o.delivery } : undefined },
    involvedObject: { kind: o.about?.split('/')[0] ?? 'PipelineRun', name: o.about?.split('/')[1] ?? 'run' },
    reason: o.reason ?? 'Started', type: o.type ?? 'Normal', message: o.message ?? '',
    lastTimestamp: o.last, firstTimestamp: o.first, eventTime: o.eventTime,
  };
}

describe('lastSeen', () => {
  const cases = [
    { name: 'lastTimestamp first', e: ev('a', { rv: '1', last: '2026-01-01T00:00:03Z', first: '2026-01-01T00:00:01Z', created: '2026-01-01T00:00:00Z' }), want: '2026-01-01T00:00:03Z' },
    { name: 'then eventTime', e: ev('a', { rv: '1', eventTime: '2026-01-01T00:00:02.000000Z', first: '2026-01-01T00:00:01Z' }), want: '2026-01-01T00:00:02.000000Z' },
    { name: 'then firstTimestamp', e: ev('a', { rv: '1', first: '2026-01-01T00:00:01Z', created: '2026-01-01T00:00:00Z' }), want: '2026-01-01T00:00:01Z' },
    { name: 'then creationTimestamp', e: ev('a', { rv: '1', created: '2026-01-01T00:00:00Z' }), want: '2026-01-01T00:00:00Z' },
    { name: 'else nothing', e: ev('a', { rv: '1' }), want: '' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(lastSeen(c.e), c.want));
});

describe('byTime', () => {
  it('orders by instant (mixed precision), then by write order within an instant, then by name', () => {
    const items = [
      ev('late', { rv: '3', last: '2026-01-01T00:00:02Z' }),
      ev('running', { rv: '10', last: '2026-01-01T00:00:01.500Z' }),
      ev('started', { rv: '9', last: '2026-01-01T00:00:01.500Z' }),
      ev('micro', { rv: '4', eventTime: '2026-01-01T00:00:01.000001Z' }),
      ev('b-no-time', { rv: 'x' }),
      ev('a-no-time', { rv: 'y' }),
    ];
    assert.deepEqual(items.sort(byTime).map((e) => e.metadata.name), ['a-no-time', 'b-no-time', 'micro', 'started', 'running', 'late']);
  });
});

it("the DELIVERY column reads the annotation the server's webhook sink writes", () => {
  assert.equal(DELIVERY_ANNOTATION, ANNOTATION_DELIVERY);
});

/** A client that lists `items` (newest written last), whatever is asked. */
function listing(items: KObject[]): KilnClient {
  return { list: async () => items.map((o) => structuredClone(o)), close: async () => {} } as unknown as KilnClient;
}

describe('kiln get events', () => {
  it('lists oldest first, with the delivery id of trigger records', async () => {
    const out: string[] = [];
    const deps: RemoteDeps = { client: async () => listing([
      ev('run.2', { rv: '7', last: '2026-01-01T00:00:05Z', reason: 'Succeeded', message: 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0' }),
      ev('github.e1.0', { rv: '2', last: '2026-01-01T00:00:01Z', reason: 'TriggerAccepted', about: 'EventListener/github', delivery: 'X-Github-Delivery:d-1', message: 'created pipelinerun run' }),
      ev('run.1', { rv: '5', last: '2026-01-01T00:00:02Z', reason: 'Running', message: 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1' }),
      ev('run.0', { rv: '4', last: '2026-01-01T00:00:02Z' }),
    ]), w: { out: (s) => out.push(s), err: (s) => out.push(`err: ${s}`) } };
    assert.equal(await getCommand('events', undefined, 'default', 'table', deps), 0);
    // the first column is an age against the real clock: replaced for the comparison
    const lines = out.join('\n').split('\n').map((l, i) => (i ? l.replace(/^\S+ +/, 'AGE ') : l));
    assert.deepEqual(lines, [
      'LAST SEEN   TYPE     REASON            OBJECT                 DELIVERY                MESSAGE',
      'AGE Normal   TriggerAccepted   eventlistener/github   X-Github-Delivery:d-1   created pipelinerun run',
      'AGE Normal   Started           pipelinerun/run',
      'AGE Normal   Running           pipelinerun/run                                Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1',
      'AGE Normal   Succeeded         pipelinerun/run                                Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0',
    ]);
  });

  it('other kinds stay newest first', async () => {
    const out: string[] = [];
    const cm = (name: string, created: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', creationTimestamp: created } });
    const deps: RemoteDeps = { client: async () => listing([cm('old', '2026-01-01T00:00:00Z'), cm('new', '2026-01-02T00:00:00Z')]), w: { out: (s) => out.push(s), err: () => {} } };
    assert.equal(await getCommand('configmaps', undefined, 'default', 'name', deps), 0);
    assert.deepEqual(out, ['configmap.core/new\nconfigmap.core/old']);
  });
});
