// Patches as the server applies them: PatchOptions checked first, every patch type bounded by the
// server's body limit (a 400 naming the limit, the server still answering), limits mapped to 400.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { createMemoryStore } from '../store/memory.ts';
import { httpError } from './expect.ts';
import { APPLY_PATCH, JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, type PatchType } from './media.ts';
import { applyPatch, checkPatchOptions } from './patching.ts';
import { createServer } from './server.ts';


describe('checkPatchOptions', () => {
  const cases: Array<{ name: string; type: PatchType; q: { fieldManager?: string; force?: string }; message?: string; field?: string }> = [
    { name: 'apply with a field manager', type: APPLY_PATCH, q: { fieldManager: 'kubectl' } },
    { name: 'apply with force', type: APPLY_PATCH, q: { fieldManager: 'kubectl', force: 'true' } },
    { name: 'a merge patch without a field manager', type: MERGE_PATCH, q: {} },
    { name: 'a JSON patch naming one', type: JSON_PATCH, q: { fieldManager: 'ünïcode-ok' } },
    {
      name: 'apply without a field manager', type: APPLY_PATCH, q: {}, field: 'fieldManager',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    },
    {
      name: 'apply with an empty field manager', type: APPLY_PATCH, q: { fieldManager: '' }, field: 'fieldManager',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    },
    {
      name: 'force on a strategic merge patch', type: STRATEGIC_PATCH, q: { force: 'false' }, field: 'force',
      message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    },
    {
      name: 'a field manager of 129 characters', type: APPLY_PATCH, q: { fieldManager: 'm'.repeat(129) }, field: 'fieldManager',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    },
    {
      name: 'a field manager with a control character', type: MERGE_PATCH, q: { fieldManager: 'a\u0007b' }, field: 'fieldManager',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\u0007b": must only contain printable characters',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (!c.message) return checkPatchOptions(c.type, c.q);
      const e = httpError(() => checkPatchOptions(c.type, c.q));
      assert.deepEqual([e.code, e.reason, e.message], [422, 'Invalid', c.message]);
      assert.deepEqual([e.details?.group, e.details?.kind, e.details?.causes?.[0].field], ['meta.k8s.io', 'PatchOptions', c.field]);
    });
  }
});

describe('applyPatch limits', () => {
  const current = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', resourceVersion: '5' }, data: { a: 'x'.repeat(500) } } as KObject;
  const big = 'y'.repeat(600);
  const cases: Array<{ name: string; type: PatchType; doc: unknown; message: string }> = [
    { name: 'a JSON patch', type: JSON_PATCH, doc: [{ op: 'add', path: '/data/b', value: big }], message: 'the patched object would be larger than 1000 bytes, the request body limit (operation 0, add /data/b)' },
    { name: 'a merge patch', type: MERGE_PATCH, doc: { data: { b: big } }, message: 'the patched object would be larger than 1000 bytes, the request body limit' },
    { name: 'a strategic merge patch', type: STRATEGIC_PATCH, doc: { data: { b: big } }, message: 'the patched object would be larger than 1000 bytes, the request body limit' },
    { name: 'an apply patch', type: APPLY_PATCH, doc: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'x'.repeat(500), b: big } }, message: 'the patched object would be larger than 1000 bytes, the request body limit' },
    { name: 'a JSON patch with too many operations', type: JSON_PATCH, doc: [{ op: 'test', path: '/kind', value: 'ConfigMap' }, { op: 'test', path: '/kind', value: 'ConfigMap' }], message: 'the allowed maximum operations in a JSON patch is 1, got 2' },
  ];
  for (const c of cases) {
    it(`${c.name} past the limits is a 400 naming the limit`, () => {
      const e = httpError(() => applyPatch(c.type, current, c.doc, false, { maxBytes: 1000, maxOperations: 1 }));
      assert.deepEqual([e.code, e.reason, e.message], [400, 'BadRequest', c.message]);
      assert.ok(applyPatch(c.type, current, Array.isArray(c.doc) ? c.doc.slice(0, 1) : c.doc, false, { maxBytes: 2000, maxOperations: 1 }).object);
    });
  }
});

describe('PATCH bounded by the server body limit', () => {
  const LIMIT = 64 * 1024;
  const app = createServer({ store: createMemoryStore(), bodyLimit: LIMIT });
  after(() => app.close());
  const CM = '/api/v1/namespaces/default/configmaps';
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, type = 'application/json') =>
    app.inject({ method, url, payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers: body === undefined ? {} : { 'content-type': type } });

  it('a patch that would grow an object past the body limit is a 400 for every patch type, and nothing is written', async () => {
    const created = await call('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', annotations: { a: 'x'.repeat(40_000) } }, data: { a: 'x' } });
    assert.equal(created.statusCode, 201, created.body.slice(0, 300));
    const more = 'y'.repeat(30_000);
    const patches: Array<[string, string, unknown]> = [
      ['json', JSON_PATCH, [{ op: 'add', path: '/data/b', value: more }]],
      ['merge', MERGE_PATCH, { data: { b: more } }],
      ['strategic', STRATEGIC_PATCH, { data: { b: more } }],
      ['apply', APPLY_PATCH, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x', b: more } })],
    ];
    for (const [what, type, body] of patches) {
      const res = await call('PATCH', `${CM}/big${type === APPLY_PATCH ? '?fieldManager=test' : ''}`, body, type);
      const status = JSON.parse(res.body);
      assert.deepEqual([res.statusCode, status.kind, status.reason], [400, 'Status', 'BadRequest'], `${what}: ${res.body.slice(0, 300)}`);
      assert.match(status.message, new RegExp(`^the patched object would be larger than ${LIMIT} bytes, the request body limit`), what);
    }
    const after_ = JSON.parse((await call('GET', `${CM}/big`)).body);
    assert.deepEqual([after_.metadata.resourceVersion, after_.data.b], [JSON.parse(created.body).metadata.resourceVersion, undefined]);
  });

  it('a 2 KB JSON patch of copies doubling a value is a 400 at once; /healthz answers', async () => {
    // each copy appends the list to itself: 2^40 items if nothing stopped it
    const patch = [{ op: 'add', path: '/x', value: ['x'.repeat(10)] }, ...Array.from({ length: 40 }, () => ({ op: 'copy', from: '/x', path: '/x/-' }))];
    assert.ok(JSON.stringify(patch).length < 2000);
    const res = await call('PATCH', `${CM}/big`, patch, JSON_PATCH);
    assert.equal(res.statusCode, 400, res.body.slice(0, 300));
    assert.match(JSON.parse(res.body).message, /^the (patched object would be larger than|JSON patch copies more than) 65536 bytes/);
    const health = await call('GET', '/healthz');
    assert.deepEqual([health.statusCode, health.body], [200, 'ok']);
  });
});
