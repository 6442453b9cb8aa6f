import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import type { EventListener, Trigger } from '../api/triggers.types.ts';
import { processEvent, type ProcessDeps } from './process.ts';

const run = (ns?: string) => ({
  apiVersion: 'tekton.dev/v1', kind: 'PipelineRun',
  metadata: { generateName: 'build-', ...(ns ? { namespace: ns } : {}) },
  spec: { pipelineRef: { name: 'build' } },
});

/** A listener in `team`, with inline triggers and one Trigger object in `prod` picked by namespaceSelector. */
function setup(resource: unknown, selectProd = false) {
  const created: KObject[] = [];
  const prodTrigger: Trigger = {
    apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'Trigger', metadata: { name: 'deploy', namespace: 'prod', labels: { app: 'x' } },
    spec: { template: { spec: { resourcetemplates: [run()] } } },
  } as Trigger;
  const listener = {
    apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'el', namespace: 'team' },
    spec: selectProd
      ? { namespaceSelector: { matchNames: ['prod'] }, labelSelector: { matchLabels: { app: 'x' } } }
      : { triggers: [{ name: 'push', template: { spec: { resourcetemplates: [resource] } } }] },
  } as unknown as EventListener;
  const deps: ProcessDeps = {
    interceptor: () => undefined,
    secret: async () => undefined,
    getTrigger: async () => undefined,
    listTriggers: async (ns: string | undefined) => (ns === 'prod' || ns === undefined ? [prodTrigger] : []),
    binding: async () => undefined,
    template: async () => undefined,
    create: async (o: KObject) => { created.push(o); return o; },
    uid: () => 'u1',
  } as unknown as ProcessDeps;
  const input = { listener, body: '{}', header: {}, url: 'http://x/hooks/team/el', eventID: 'e1' };
  return { created, go: () => processEvent(input, deps) };
}

describe('triggers: resources are created in the listener\'s namespace only', () => {
  it('a resource without a namespace lands in the listener\'s namespace', async () => {
    const { created, go } = setup(run());
    const [o] = await go();
    assert.equal(o.outcome, 'accepted', o.message);
    assert.equal(created[0].metadata.namespace, 'team');
  });
  it('a template naming another namespace is refused, nothing created', async () => {
    const { created, go } = setup(run('prod'));
    const [o] = await go();
    assert.equal(o.outcome, 'failed');
    assert.match(o.message, /names namespace "prod": the resources of EventListener team\/el are created in its own namespace "team" only/);
    assert.deepEqual(created, []);
  });
  it('a Trigger picked from another namespace by namespaceSelector creates in the listener\'s namespace', async () => {
    const { created, go } = setup(undefined, true);
    const [o] = await go();
    assert.equal(o.outcome, 'accepted', o.message);
    assert.equal(created[0].metadata.namespace, 'team');
  });
});
