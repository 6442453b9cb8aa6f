import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { StoreError } from './store.ts';
import { cutPage, decodeContinue, encodeContinue, pageSize } from './paging.ts';

const obj = (namespace: string, name: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name } });
const keys = (items: KObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

describe('continue tokens', () => {
  it('round-trip the resourceVersion and the last key, as base64url', () => {
    const token = encodeContinue({ rv: 42, namespace: 'team-a', name: 'x.y' });
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeContinue(token, 42), { rv: 42, namespace: 'team-a', name: 'x.y' });
    assert.deepEqual(decodeContinue(encodeContinue({ rv: 3, namespace: '', name: 'ns1' }), 9), { rv: 3, namespace: '', name: 'ns1' });
  });

  const b64 = (doc: unknown) => Buffer.from(JSON.stringify(doc)).toString('base64url');
  const cases: Array<{ name: string; token: string; message: RegExp }> = [
    { name: 'not base64url', token: 'a b', message: /invalid continue token: not base64url/ },
    { name: 'not JSON', token: Buffer.from('{').toString('base64url'), message: /not an encoded JSON document/ },
    { name: "kube-apiserver's format", token: b64({ v: 'meta.k8s.io/v1', rv: 1, start: 'a\u0000' }), message: /unknown format "meta.k8s.io\/v1"/ },
    { name: 'a JSON array', token: b64([1]), message: /unknown format undefined/ },
    { name: 'rv not a number', token: b64({ v: 'kiln/v1', rv: '7', ns: '', name: 'a' }), message: /rv is not a positive integer/ },
    { name: 'rv ahead of the store', token: b64({ v: 'kiln/v1', rv: 11, ns: '', name: 'a' }), message: /resourceVersion 11 is newer than the store's \(10\)/ },
    { name: 'no name', token: b64({ v: 'kiln/v1', rv: 2, ns: 'x' }), message: /no key of the last item/ },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} with BadRequest`, () => {
      assert.throws(() => decodeContinue(c.token, 10), (e: unknown) => e instanceof StoreError && e.code === 400 && c.message.test(e.message));
    });
  }
});

describe('pageSize', () => {
  for (const [limit, want] of [[undefined, undefined], [0, undefined], [-5, undefined], [1, 1], [500, 500]] as const) {
    it(`${limit} → ${want}`, () => assert.equal(pageSize(limit), want));
  }
  it('refuses a fraction', () => assert.throws(() => pageSize(1.5), /invalid limit 1.5/));
});

describe('cutPage', () => {
  const items = [obj('a', 'x'), obj('a', 'y'), obj('b', 'a'), obj('b', 'b'), obj('c', 'a')];
  it('cuts the first page, with a token and the remaining count', () => {
    const p = cutPage(items, { limit: 2, rv: 7 });
    assert.deepEqual(keys(p.items), ['a/x', 'a/y']);
    assert.equal(p.remainingItemCount, 3);
    assert.deepEqual(decodeContinue(p.continue!, 7), { rv: 7, namespace: 'a', name: 'y' });
  });
  it('continues after the key even when that item is gone, with the first page\'s resourceVersion', () => {
    const p = cutPage([obj('a', 'x'), obj('b', 'b'), obj('c', 'a')], { limit: 5, rv: 9, after: { rv: 7, namespace: 'a', name: 'y' } });
    assert.deepEqual(keys(p.items), ['b/b', 'c/a']);
    assert.equal(p.resourceVersion, '7');
    assert.equal(p.continue, undefined);
  });
  it('a key past the end gives an empty last page', () => {
    assert.deepEqual(cutPage(items, { rv: 3, after: { rv: 3, namespace: 'z', name: 'z' } }), { items: [], resourceVersion: '3' });
  });
});
