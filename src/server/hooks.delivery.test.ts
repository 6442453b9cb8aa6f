// Delivery-level behaviour of the webhook sink that needs no conformance data: redelivery safety
// (concurrent duplicates, and deliveries recorded by an earlier process), and signatures checked
// over the exact bytes sent.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { KObject } from '../api/meta.ts';
import { findKind } from '../api/registry.ts';
import { createMemoryStore } from '../store/memory.ts';
import type { Store } from '../store/store.ts';
import { CORE_INTERCEPTORS } from '../triggers/interceptors/index.ts';
import type { TriggerOutcome } from '../triggers/process.ts';
import { createServer } from './server.ts';

const EL = findKind('EventListener', 'triggers.tekton.dev')!;
const SECRET = findKind('Secret', '')!;
const EVENT = findKind('Event', '')!;
const TASKRUN = findKind('TaskRun', 'tekton.dev')!;

const listener = {
  apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'gh', namespace: 'default' },
  spec: {
    triggers: [{
      name: 'push',
      interceptors: [{ ref: { name: 'github' }, params: [{ name: 'secretRef', value: { secretName: 's', secretKey: 'k' } }] }],
      bindings: [{ name: 'who', value: '$(body.who)' }],
      template: { spec: { params: [{ name: 'who' }], resourcetemplates: [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { generateName: 'r-' }, spec: { taskSpec: { steps: [{ image: 'alpine', script: 'echo $(tt.params.who)' }] } } }] } },
    }],
  },
};

describe('webhook deliveries', () => {
  let store: Store;
  let app: FastifyInstance;
  let base = '';
  const waiting = new Map<string, (o: TriggerOutcome[]) => void>();
  const done = new Map<string, TriggerOutcome[]>();
  const processed = (id: string) => new Promise<TriggerOutcome[]>((r) => (done.has(id) ? r(done.get(id)!) : waiting.set(id, r)));

  before(async () => {
    store = createMemoryStore();
    await store.create(SECRET, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { k: Buffer.from('key').toString('base64') } } as KObject);
    await store.create(EL, listener as unknown as KObject);
    app = createServer({ store, hooks: { interceptors: CORE_INTERCEPTORS, onProcessed: (id, o) => { done.set(id, o); waiting.get(id)?.(o); } } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => app.close());

  async function post(body: Buffer, headers: Record<string, string>): Promise<string> {
    const sig = `sha256=${createHmac('sha256', 'key').update(body).digest('hex')}`;
    const res = await fetch(`${base}/hooks/default/gh`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig, ...headers }, body });
    assert.equal(res.status, 202);
    return ((await res.json()) as { eventID: string }).eventID;
  }
  const runs = async () => (await store.list(TASKRUN)).items.length;

  it('the same delivery posted twice at once starts one run', async () => {
    const body = Buffer.from('{"who":"twice"}');
    const ids = await Promise.all([post(body, { 'x-github-delivery': 'dup-1' }), post(body, { 'x-github-delivery': 'dup-1' })]);
    const outcomes = (await Promise.all(ids.map(processed))).flat();
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['accepted', 'rejected']);
    assert.match(outcomes.find((o) => o.outcome === 'rejected')!.message, /delivery X-Github-Delivery:dup-1 was processed before/);
    assert.equal(await runs(), 1);
  });

  it('a delivery an earlier process recorded is not processed again (a fresh server over the same store)', async () => {
    const before = await runs();
    const body = Buffer.from('{"who":"restart"}');
    assert.equal((await processed(await post(body, { 'x-github-delivery': 'dup-2' })))[0].outcome, 'accepted');
    const second = createServer({ store, hooks: { interceptors: CORE_INTERCEPTORS, onProcessed: (id, o) => { done.set(id, o); waiting.get(id)?.(o); } } });
    const url = await second.listen({ host: '127.0.0.1', port: 0 });
    try {
      const sig = `sha256=${createHmac('sha256', 'key').update(body).digest('hex')}`;
      const res = await fetch(`${url}/hooks/default/gh`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig, 'x-github-delivery': 'dup-2' }, body });
      const again = await processed(((await res.json()) as { eventID: string }).eventID);
      assert.equal(again[0].outcome, 'rejected');
      const reasons = (await store.list(EVENT, { labelSelector: 'triggers.tekton.dev/eventlistener=gh' })).items.filter((e) => e.metadata.annotations?.['kiln.dev/delivery-id'] === 'X-Github-Delivery:dup-2').map((e) => (e as { reason?: string }).reason);
      assert.deepEqual(reasons.sort(), ['DuplicateDelivery', 'TriggerAccepted']);
    } finally {
      await second.close();
    }
    assert.equal(await runs(), before + 1);
  });

  it('the signature is checked over the bytes as sent, invalid UTF-8 included', async () => {
    const body = Buffer.concat([Buffer.from('{"who":"bytes","x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const outcomes = await processed(await post(body, { 'x-github-delivery': 'utf8-1' }));
    assert.equal(outcomes[0].outcome, 'accepted', outcomes[0].message);
  });
});
