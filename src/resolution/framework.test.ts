import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResolution, requestDigest, ResolverError, type Resolver } from './framework.ts';
import { describeRef, substituteParams, paramValues } from './resolver.ts';

const TASK = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps: [{name: s, image: busybox, script: echo}]\n';

function counting(data = TASK, immutable = false): Resolver & { calls: number } {
  const r = {
    calls: 0,
    title: 'Fake',
    immutable: () => immutable,
    async fetch() {
      r.calls++;
      return { data, refSource: { uri: 'fake://x', digest: { sha256: 'abc' } }, source: 'fake://x' };
    },
  };
  return r;
}

const req = (params: Record<string, string> = {}) => ({ resolver: 'fake', namespace: 'ns', kind: 'Task' as const, params: Object.entries(params).map(([name, value]) => ({ name, value })) });

test('an unknown resolver is unsupported and names the ones there are', async () => {
  const r = await createResolution({ resolvers: { git: counting(), http: counting() } }).resolve({ ...req(), resolver: 'bundles' });
  assert.deepEqual(r, { ok: false, unsupported: true, message: 'resolver "bundles" is not available in kiln (available: git, http)' });
});

test('cache: immutable requests are fetched once (and handed out as copies); others each time; the cache param overrides', async () => {
  const cases: Array<{ name: string; immutable: boolean; params: Record<string, string>; calls: number }> = [
    { name: 'immutable, auto', immutable: true, params: {}, calls: 1 },
    { name: 'mutable, auto', immutable: false, params: {}, calls: 2 },
    { name: 'mutable, cache=always', immutable: false, params: { cache: 'always' }, calls: 1 },
    { name: 'immutable, cache=never', immutable: true, params: { cache: 'never' }, calls: 2 },
  ];
  for (const c of cases) {
    const fake = counting(TASK, c.immutable);
    const res = createResolution({ resolvers: { fake } });
    const a = await res.resolve(req(c.params));
    assert.ok(a.ok, c.name);
    (a.object.metadata as { name?: string }).name = 'changed';
    const b = await res.resolve(req(c.params));
    assert.ok(b.ok && b.object.metadata.name === 't', `${c.name}: a copy each time`);
    assert.equal(fake.calls, c.calls, c.name);
  }
});

test('concurrent identical requests share one fetch', async () => {
  const fake = counting();
  const res = createResolution({ resolvers: { fake } });
  const all = await Promise.all([res.resolve(req()), res.resolve(req()), res.resolve(req())]);
  assert.ok(all.every((r) => r.ok));
  assert.equal(fake.calls, 1);
});

test('a resolver that does not answer within the timeout fails the request, and is aborted', async () => {
  let aborted = false;
  const slow: Resolver = {
    title: 'Slow',
    fetch: (_p, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); })),
  };
  const r = await createResolution({ resolvers: { fake: slow }, timeoutMs: 20 }).resolve(req());
  assert.ok(!r.ok);
  assert.match(r.message, /^error requesting remote resource: error getting "Slow" "ns\/fake-[0-9a-f]{32}": resolution took longer than the timeout of 20ms$/);
  assert.ok(aborted);
});

test('failures: the resolver\'s message, unsupported kept; wrong kind, several objects, non-string params', async () => {
  const failing: Resolver = { title: 'F', async fetch() { throw new ResolverError('no network here', { unsupported: true }); } };
  const f = await createResolution({ resolvers: { fake: failing } }).resolve(req());
  assert.ok(!f.ok && f.unsupported && f.message.endsWith(': no network here'));
  const two = await createResolution({ resolvers: { fake: counting(`${TASK}---\n${TASK}`) } }).resolve(req());
  assert.ok(!two.ok && two.message.endsWith('fake://x holds 2 objects; a resolver must return exactly one Task'), JSON.stringify(two));
  const kind = await createResolution({ resolvers: { fake: counting(TASK) } }).resolve({ ...req(), kind: 'Pipeline' });
  assert.ok(!kind.ok && kind.message.endsWith('fake://x holds a Task "t", not a Pipeline'));
  const arr = await createResolution({ resolvers: { fake: counting() } }).resolve({ ...req(), params: [{ name: 'url', value: ['a'] }] });
  assert.ok(!arr.ok && arr.message.endsWith('param "url" must be a string'));
});

test('v1beta1 content is converted to v1 like a local file', async () => {
  const beta = 'apiVersion: tekton.dev/v1beta1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps: [{name: s, image: busybox, script: echo, resources: {limits: {cpu: "1"}}}]\n';
  const r = await createResolution({ resolvers: { fake: counting(beta) } }).resolve(req());
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.object.apiVersion, 'tekton.dev/v1');
});

test('requestDigest ignores param order; describeRef and substituteParams as Tekton prints and substitutes', () => {
  assert.equal(requestDigest(req({ a: '1', b: '2' })), requestDigest({ ...req(), params: [{ name: 'b', value: '2' }, { name: 'a', value: '1' }] }));
  assert.notEqual(requestDigest(req({ a: '1' })), requestDigest({ ...req({ a: '1' }), namespace: 'other' }));
  assert.equal(describeRef('git', [{ name: 'url', value: 'u' }, { name: 'revision', value: 'main' }]), 'resolver type git\nurl = u\nrevision = main\n');
  const values = paramValues([{ name: 'rev', default: 'main' }, { name: 'path' }], [{ name: 'path', value: 'a.yaml' }]);
  assert.deepEqual(substituteParams([{ name: 'revision', value: '$(params.rev)' }, { name: 'pathInRepo', value: "task/$(params['path'])" }, { name: 'x', value: '$(params.unknown)' }], values), [
    { name: 'revision', value: 'main' }, { name: 'pathInRepo', value: 'task/a.yaml' }, { name: 'x', value: '$(params.unknown)' },
  ]);
});
