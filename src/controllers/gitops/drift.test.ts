import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../store/memory.ts';
import type { ResourceType } from '../../store/store.ts';
import type { KObject } from '../../api/meta.ts';
import { TRACKING_LABEL, watchDrift } from './drift.ts';

const DEPLOYMENT: ResourceType = { group: 'apps', plural: 'deployments', kind: 'Deployment', namespaced: true };
const quiet = { info() {}, warn() {}, error() {}, debug() {} } as never;


describe('drift in kiln\'s own store', () => {
  it('wakes the tracking Application on add, spec change and delete, not on status or untracked objects', async () => {
    const store = createMemoryStore();
    const woken: string[] = [];
    let signal: (() => void) | undefined;
    const drift = watchDrift(store, [DEPLOYMENT], (a) => { woken.push(a); signal?.(); }, quiet);
    const waitWake = () => new Promise<string>((resolve) => { signal = () => resolve(woken[woken.length - 1]); });
    try {
      let w = waitWake();
      const created = await store.create(DEPLOYMENT, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a', labels: { [TRACKING_LABEL]: 'guestbook' } }, spec: { replicas: 1 } } as KObject);
      assert.equal(await w, 'guestbook');

      // an untracked object and a status write: no wake; the spec change after them is the next one
      await store.create(DEPLOYMENT, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other', namespace: 'a' }, spec: {} } as KObject);
      const withStatus = await store.updateStatus(DEPLOYMENT, { ...created, status: { readyReplicas: 1 } } as KObject);
      const count = woken.length;
      w = waitWake();
      await store.update(DEPLOYMENT, { ...withStatus, spec: { replicas: 3 } } as KObject);
      assert.equal(await w, 'guestbook');
      assert.equal(woken.length, count + 1, `woken: ${woken.join(',')}`);

      w = waitWake();
      await store.delete(DEPLOYMENT, 'a', 'web');
      assert.equal(await w, 'guestbook');
      assert.deepEqual(woken, ['guestbook', 'guestbook', 'guestbook']);
    } finally {
      await drift.stop();
    }
  });
});
