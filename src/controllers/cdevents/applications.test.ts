import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.ts';
import type { CDEvent } from '../../events/cdevent.ts';
import { fromHttp } from '../../events/cloudevent.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { APPLICATION, createCDEvents } from './controller.ts';
import type { Poster } from './delivery.ts';
import { OUTBOX, type OutboxEntry } from './outbox.ts';

const source = { source: 'https://kiln.test', apiBase: 'https://kiln.test' };
const short = (e: CDEvent) => e.context.type.replace(/^dev\.cdevents\.|\.\d+\.\d+\.\d+$/g, '');

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

test('an Application\'s syncs (status.history) reach the sink as environment and service events; its removal survives its deletion', async () => {
  const store = createMemoryStore();
  const received: CDEvent[] = [];
  const post: Poster = async (_u, h, b) => { received.push(fromHttp(h, b).cdevent); return { status: 202 }; };
  const ce = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post, baseDelay: 1, logger: silentLogger });
  await ce.start();
  const app: KObject = await store.create(APPLICATION, {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'guestbook', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: { source: { repoURL: 'https://github.com/argoproj/argocd-example-apps.git', path: 'guestbook' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' } },
  });
  const synced = (history: object[]) => store.get(APPLICATION, 'argocd', 'guestbook').then((cur) => store.updateStatus(APPLICATION, { ...cur, status: { sync: { status: 'Synced' }, history } }));
  const h0 = { id: 0, revision: 'aaa1', deployedAt: '2024-05-01T10:00:00Z' };
  await synced([h0]);
  await until(() => received.length === 2);
  await synced([h0, { id: 1, revision: 'bbb2', deployedAt: '2024-05-02T10:00:00Z' }]);
  await until(() => received.length === 4);
  await store.delete(APPLICATION, 'argocd', 'guestbook');
  await until(() => received.length === 5);
  await ce.idle();
  assert.deepEqual(received.map(short), ['environment.created', 'service.deployed', 'environment.modified', 'service.upgraded', 'service.removed']);
  assert.equal(received[3].subject.id, 'argocd/guestbook');
  // the finalizer goes: the Application and its entries are deleted, but not the removal's
  const cur = await store.get(APPLICATION, 'argocd', 'guestbook');
  await store.update(APPLICATION, { ...cur, metadata: { ...cur.metadata, finalizers: [] } });
  const { items } = await store.list<OutboxEntry>(OUTBOX, { namespace: 'argocd' });
  assert.deepEqual(items.map((e) => e.metadata.labels?.['cdevents.kiln.dev/type']), ['service.removed']);
  assert.equal(app.metadata.uid !== undefined, true);
  await ce.stop();
});
