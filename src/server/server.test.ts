// The HTTP server driven in-process (app.inject) over a memory store; watches over a real socket.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { KObject } from '../api/meta.ts';
import { FIXED_KINDS } from '../api/generic/kinds.ts';
import { createMemoryStore } from '../store/memory.ts';
import type { Store } from '../store/store.ts';
import type { LogSource } from './resources.ts';
import { createServer, type ServerOptions } from './server.ts';

const NOW = new Date('2026-01-02T03:04:05Z');
const TEKTON = '/apis/tekton.dev/v1/namespaces/default';
const CORE = '/api/v1/namespaces/default';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

function setup(opts: Partial<ServerOptions> & { historySize?: number } = {}): { app: FastifyInstance; store: Store } {
  let n = 0;
  const store = createMemoryStore({ now: () => NOW, uid: () => `uid-${++n}`, nameSuffix: () => 'abcde', historySize: opts.historySize });
  const app = createServer({ store, now: () => NOW, ...opts });
  return { app, store };
}

interface Answer { status: number; body: any; text: string; headers: Record<string, unknown> }

async function call(app: FastifyInstance, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const ct = payload !== undefined && !('content-type' in headers) ? { 'content-type': 'application/json' } : {};
  const res = await app.inject({ method: method as 'GET', url, payload, headers: { ...ct, ...headers } });
  let parsed: unknown;
  try {
    parsed = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, body: parsed, text: res.body, headers: res.headers };
}

/** Asserts a failure Status with this code and reason; `message` exact (string) or matched (RegExp). */
function assertStatus(a: Answer, code: number, reason: string, message?: string | RegExp): void {
  assert.equal(a.status, code, a.text);
  assert.equal(a.body?.kind, 'Status', a.text);
  assert.equal(a.body.apiVersion, 'v1');
  assert.equal(a.body.status, 'Failure');
  assert.equal(a.body.code, code);
  assert.equal(a.body.reason, reason);
  if (typeof message === 'string') assert.equal(a.body.message, message);
  else if (message) assert.match(a.body.message, message);
}

function warnings(a: Answer): string[] {
  const w = a.headers.warning;
  return w === undefined ? [] : Array.isArray(w) ? w : [String(w)];
}

const task = (name: string, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name, ...extra },
  spec: { steps: [{ name: 'build', image: 'alpine', script: 'echo hi' }] },
});
const pipelineRun = (name: string, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, ...extra }, spec: { pipelineRef: { name: 'p' } },
});
const taskRun = (name: string, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, ...extra }, spec: { taskRef: { name: 't' } },
});
const configMap = (name: string, labels?: Record<string, string>): KObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data: { k: 'v' },
} as KObject);

async function created(app: FastifyInstance, url: string, obj: unknown): Promise<KObject> {
  const a = await call(app, 'POST', url, obj);
  assert.equal(a.status, 201, a.text);
  return a.body;
}

describe('discovery', () => {
  const { app } = setup({ version: '1.2.3' });
  const cases: Array<{ name: string; url: string; check: (body: any) => void }> = [
    { name: '/api lists v1', url: '/api', check: (b) => assert.deepEqual([b.kind, b.versions], ['APIVersions', ['v1']]) },
    {
      name: '/apis lists tekton.dev with v1 preferred', url: '/apis',
      check: (b) => {
        assert.equal(b.kind, 'APIGroupList');
        const g = b.groups.find((x: any) => x.name === 'tekton.dev');
        assert.deepEqual(g.preferredVersion, { groupVersion: 'tekton.dev/v1', version: 'v1' });
        assert.deepEqual(g.versions.map((v: any) => v.version), ['v1', 'v1beta1', 'v1alpha1']);
      },
    },
    { name: '/apis/tekton.dev is the group', url: '/apis/tekton.dev', check: (b) => assert.deepEqual([b.kind, b.name], ['APIGroup', 'tekton.dev']) },
    {
      name: '/apis/tekton.dev/v1 lists the kinds and their subresources', url: '/apis/tekton.dev/v1',
      check: (b) => {
        assert.equal(b.kind, 'APIResourceList');
        assert.equal(b.groupVersion, 'tekton.dev/v1');
        const names = b.resources.map((r: any) => r.name);
        for (const n of ['tasks', 'taskruns', 'taskruns/status', 'taskruns/log', 'pipelines', 'pipelineruns', 'pipelineruns/status']) assert.ok(names.includes(n), n);
        assert.ok(!names.includes('stepactions'), 'StepAction is not served in v1');
        const pr = b.resources.find((r: any) => r.name === 'pipelineruns');
        assert.deepEqual([pr.kind, pr.namespaced, pr.shortNames], ['PipelineRun', true, ['pr']]);
        assert.deepEqual(b.resources.find((r: any) => r.name === 'taskruns/log').verbs, ['get']);
      },
    },
    {
      name: '/api/v1 lists every core kind of the registry', url: '/api/v1',
      check: (b) => {
        const served = b.resources.filter((r: any) => !r.name.includes('/')).map((r: any) => r.name).sort();
        assert.deepEqual(served, FIXED_KINDS.all().filter((k) => k.group === '').map((k) => k.plural).sort());
        assert.ok(served.includes('configmaps') && served.includes('secrets'));
      },
    },
    { name: '/version carries kiln’s version', url: '/version', check: (b) => assert.deepEqual([b.major, b.minor, b.gitVersion], ['1', '32', 'v1.32.0-kiln+1.2.3']) },
    {
      name: '/openapi/v3 indexes one document per group version', url: '/openapi/v3',
      check: (b) => {
        assert.ok(b.paths['apis/tekton.dev/v1'].serverRelativeURL.startsWith('/openapi/v3/apis/tekton.dev/v1?hash='));
        assert.ok(b.paths['api/v1']);
      },
    },
    {
      name: '/openapi/v3/apis/tekton.dev/v1 is an OpenAPI document with the Task schema', url: '/openapi/v3/apis/tekton.dev/v1',
      check: (b) => {
        assert.equal(b.openapi, '3.0.0');
        assert.ok(b.paths['/apis/tekton.dev/v1/namespaces/{namespace}/tasks']);
        assert.ok(b.components.schemas['dev.tekton.v1.Task']);
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const a = await call(app, 'GET', c.url);
      assert.equal(a.status, 200, a.text);
      assert.match(String(a.headers['content-type']), /^application\/json/);
      c.check(a.body);
    });
  }

  it('an OpenAPI document carries an ETag matching its hash in the index', async () => {
    const index = await call(app, 'GET', '/openapi/v3');
    const hash = index.body.paths['apis/tekton.dev/v1'].serverRelativeURL.split('hash=')[1];
    const doc = await call(app, 'GET', '/openapi/v3/apis/tekton.dev/v1');
    assert.equal(doc.headers.etag, `"${hash}"`);
  });

  const missing = [
    { name: 'an unknown group', url: '/apis/example.com' },
    { name: 'an unknown group version', url: '/apis/tekton.dev/v2' },
    { name: 'an unknown OpenAPI document', url: '/openapi/v3/apis/example.com/v1' },
    { name: 'an unknown top-level path', url: '/nothing/here' },
  ];
  for (const c of missing) {
    it(`404 for ${c.name}`, async () => {
      assertStatus(await call(app, 'GET', c.url), 404, 'NotFound', 'the server could not find the requested resource');
    });
  }
});

describe('create', () => {
  it('201 with the stored object: uid, resourceVersion, creationTimestamp, defaults', async () => {
    const { app } = setup();
    const obj = await created(app, `${TEKTON}/pipelineruns`, pipelineRun('x'));
    assert.deepEqual(obj.metadata, { name: 'x', namespace: 'default', uid: 'uid-1', generation: 1, creationTimestamp: '2026-01-02T03:04:05Z', resourceVersion: '2' });
    assert.deepEqual((obj.spec as any).pipelineRef, { name: 'p' });
    assert.equal((obj.spec as any).timeouts.pipeline, '60m', 'defaulted');
  });

  it('generateName gives the name a suffix', async () => {
    const { app } = setup();
    const obj = await created(app, `${TEKTON}/pipelineruns`, { ...pipelineRun(''), metadata: { generateName: 'build-' } });
    assert.equal(obj.metadata.name, 'build-abcde');
    assert.equal((await call(app, 'GET', `${TEKTON}/pipelineruns/build-abcde`)).status, 200);
  });

  it('status sent on create is dropped, as are server-owned metadata fields', async () => {
    const { app } = setup();
    const obj = await created(app, `${TEKTON}/taskruns`, {
      ...taskRun('t', { uid: 'mine', resourceVersion: '99', generation: 7, creationTimestamp: '2000-01-01T00:00:00Z' }),
      status: { conditions: [{ type: 'Succeeded', status: 'True' }] },
    });
    assert.equal(obj.status, undefined);
    assert.deepEqual([obj.metadata.uid, obj.metadata.resourceVersion, obj.metadata.generation, obj.metadata.creationTimestamp], ['uid-1', '2', 1, '2026-01-02T03:04:05Z']);
  });

  it('dryRun=All answers the object and stores nothing', async () => {
    const { app, store } = setup();
    const obj = await created(app, `${TEKTON}/tasks?dryRun=All`, task('dry'));
    assert.equal(obj.metadata.name, 'dry');
    assert.equal(obj.metadata.uid, undefined);
    assert.deepEqual((await store.list({ group: 'tekton.dev', plural: 'tasks', kind: 'Task', namespaced: true })).items, []);
    assertStatus(await call(app, 'GET', `${TEKTON}/tasks/dry`), 404, 'NotFound', 'tasks.tekton.dev "dry" not found');
  });

  it('a YAML body is accepted (application/yaml)', async () => {
    const { app } = setup();
    const yaml = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: from-yaml\nspec:\n  steps:\n    - name: s\n      image: alpine\n      script: echo\n';
    const a = await call(app, 'POST', `${TEKTON}/tasks`, yaml, { 'content-type': 'application/yaml' });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.metadata.name, 'from-yaml');
  });

  it('a v1beta1 object posted to v1beta1 is converted and stored as v1', async () => {
    const { app } = setup();
    const a = await call(app, 'POST', '/apis/tekton.dev/v1beta1/namespaces/default/tasks', { ...task('old'), apiVersion: 'tekton.dev/v1beta1' });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.apiVersion, 'tekton.dev/v1');
  });

  it('the namespace comes from the URL; a core kind lives under /api/v1', async () => {
    const { app } = setup();
    const obj = await created(app, '/api/v1/namespaces/team/configmaps', configMap('cm'));
    assert.equal(obj.metadata.namespace, 'team');
    assert.equal((await call(app, 'GET', '/api/v1/namespaces/team/configmaps/cm')).body.data.k, 'v');
  });

  it('409 AlreadyExists for a duplicate name', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('dup'));
    assertStatus(await call(app, 'POST', `${TEKTON}/tasks`, task('dup')), 409, 'AlreadyExists', 'tasks.tekton.dev "dup" already exists');
  });
});

describe('get and list', async () => {
  const { app } = setup();
  await created(app, `${TEKTON}/pipelineruns`, pipelineRun('a', { labels: { app: 'web', tier: 'front' } }));
  await created(app, `${TEKTON}/pipelineruns`, pipelineRun('b', { labels: { app: 'api' } }));
  await created(app, '/apis/tekton.dev/v1/namespaces/other/pipelineruns', pipelineRun('c', { labels: { app: 'web' } }));

  it('GET answers the object', async () => {
    const a = await call(app, 'GET', `${TEKTON}/pipelineruns/a`);
    assert.equal(a.status, 200);
    assert.deepEqual([a.body.kind, a.body.metadata.name, a.body.metadata.labels], ['PipelineRun', 'a', { app: 'web', tier: 'front' }]);
  });

  it('GET of a missing object: 404 naming it as kube-apiserver does', async () => {
    const a = await call(app, 'GET', `${TEKTON}/pipelineruns/x`);
    assertStatus(a, 404, 'NotFound', 'pipelineruns.tekton.dev "x" not found');
    assert.deepEqual(a.body.details, { name: 'x', group: 'tekton.dev', kind: 'pipelineruns' });
  });

  it('GET of a missing core object names the plural alone', async () => {
    assertStatus(await call(app, 'GET', `${CORE}/configmaps/none`), 404, 'NotFound', 'configmaps "none" not found');
  });

  const lists: Array<{ name: string; url: string; want: string[] }> = [
    { name: 'a namespace', url: `${TEKTON}/pipelineruns`, want: ['default/a', 'default/b'] },
    { name: 'all namespaces', url: '/apis/tekton.dev/v1/pipelineruns', want: ['default/a', 'default/b', 'other/c'] },
    { name: 'another namespace', url: '/apis/tekton.dev/v1/namespaces/other/pipelineruns', want: ['other/c'] },
    { name: 'an empty namespace', url: '/apis/tekton.dev/v1/namespaces/none/pipelineruns', want: [] },
    { name: 'a label selector', url: `/apis/tekton.dev/v1/pipelineruns?labelSelector=${encodeURIComponent('app=web')}`, want: ['default/a', 'other/c'] },
    { name: 'a set-based selector', url: `${TEKTON}/pipelineruns?labelSelector=${encodeURIComponent('app in (api,db),!tier')}`, want: ['default/b'] },
    { name: 'a field selector', url: `/apis/tekton.dev/v1/pipelineruns?fieldSelector=${encodeURIComponent('metadata.namespace!=default')}`, want: ['other/c'] },
    { name: 'v1beta1 lists the same objects', url: '/apis/tekton.dev/v1beta1/namespaces/default/pipelineruns', want: ['default/a', 'default/b'] },
  ];
  for (const c of lists) {
    it(`list: ${c.name}`, async () => {
      const a = await call(app, 'GET', c.url);
      assert.equal(a.status, 200, a.text);
      assert.deepEqual([a.body.kind, a.body.apiVersion, a.body.metadata.resourceVersion], ['PipelineRunList', 'tekton.dev/v1', '4']);
      assert.deepEqual(a.body.items.map((o: KObject) => `${o.metadata.namespace}/${o.metadata.name}`), c.want);
    });
  }

  it('list as a Table (kubectl get)', async () => {
    const a = await call(app, 'GET', `${TEKTON}/pipelineruns`, undefined, { accept: TABLE });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual([a.body.kind, a.body.apiVersion, a.body.metadata.resourceVersion], ['Table', 'meta.k8s.io/v1', '4']);
    assert.deepEqual(a.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Succeeded', 'Reason', 'StartTime', 'CompletionTime']);
    assert.deepEqual(a.body.rows.map((r: any) => r.cells), [['a', '', '', '', ''], ['b', '', '', '', '']]);
    assert.deepEqual(a.body.rows[0].object.kind, 'PartialObjectMetadata');
  });

  it('GET of one object as a Table', async () => {
    const a = await call(app, 'GET', `${TEKTON}/pipelineruns/b?includeObject=None`, undefined, { accept: TABLE });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.body.rows, [{ cells: ['b', '', '', '', ''] }]);
  });

  it('list as PartialObjectMetadataList', async () => {
    const a = await call(app, 'GET', `${TEKTON}/pipelineruns`, undefined, { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    assert.equal(a.body.kind, 'PartialObjectMetadataList');
    assert.deepEqual(a.body.items.map((o: any) => [o.kind, o.metadata.name]), [['PartialObjectMetadata', 'a'], ['PartialObjectMetadata', 'b']]);
  });

  it('406 when only protobuf is acceptable', async () => {
    assertStatus(await call(app, 'GET', `${TEKTON}/pipelineruns`, undefined, { accept: 'application/vnd.kubernetes.protobuf' }), 406, 'NotAcceptable');
  });

  it('400 for a bad label selector', async () => {
    assertStatus(await call(app, 'GET', `${TEKTON}/pipelineruns?labelSelector=${encodeURIComponent('app in (web')}`), 400, 'BadRequest',
      'unable to parse requirement: invalid selector "app in (web": found \'\', expected: \',\', \')\' or identifier');
  });
});

describe('secrets', async () => {
  const { app } = setup();
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') }, stringData: { user: 'me' } };
  await created(app, `${CORE}/secrets`, secret);

  it('stringData is folded into data on write', async () => {
    const a = await call(app, 'GET', `${CORE}/secrets/creds`);
    assert.deepEqual(a.body.data, { password: 'aHVudGVyMg==', user: 'bWU=' });
    assert.equal(a.body.stringData, undefined);
  });

  const cases = [
    { name: 'a list leaves data out', url: `${CORE}/secrets`, data: undefined },
    { name: 'an all-namespaces list leaves data out', url: '/api/v1/secrets', data: undefined },
    { name: 'includeSecretData=true keeps it', url: `${CORE}/secrets?includeSecretData=true`, data: { password: 'aHVudGVyMg==', user: 'bWU=' } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const a = await call(app, 'GET', c.url);
      assert.equal(a.status, 200);
      assert.equal(a.body.items.length, 1);
      assert.equal(a.body.items[0].metadata.name, 'creds');
      assert.deepEqual(a.body.items[0].data, c.data);
    });
  }
});

describe('update (PUT)', () => {
  it('replaces the object; a stale resourceVersion is 409 Conflict', async () => {
    const { app } = setup();
    const first = await created(app, `${TEKTON}/tasks`, task('t'));
    const updated = await call(app, 'PUT', `${TEKTON}/tasks/t`, { ...first, spec: { steps: [{ name: 'build', image: 'busybox', script: 'echo' }] } });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.spec.steps[0].image, 'busybox');
    assert.equal(updated.body.metadata.generation, 2);
    const stale = await call(app, 'PUT', `${TEKTON}/tasks/t`, first);
    assertStatus(stale, 409, 'Conflict', 'Operation cannot be fulfilled on tasks.tekton.dev "t": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('404 when the object does not exist', async () => {
    const { app } = setup();
    assertStatus(await call(app, 'PUT', `${TEKTON}/tasks/none`, task('none')), 404, 'NotFound', 'tasks.tekton.dev "none" not found');
  });

  it('PUT on /status changes only the status', async () => {
    const { app } = setup();
    const run = await created(app, `${TEKTON}/taskruns`, taskRun('r'));
    const a = await call(app, 'PUT', `${TEKTON}/taskruns/r/status`, {
      ...run, spec: { taskRef: { name: 'other' } }, metadata: { ...run.metadata, labels: { sneaky: 'yes' } },
      status: { conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }] },
    });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.body.status.conditions, [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }]);
    assert.equal(a.body.spec.taskRef.name, 't');
    assert.equal(a.body.metadata.labels, undefined);
    assert.equal(a.body.metadata.generation, 1);
  });
});

describe('patch', () => {
  const MERGE = { 'content-type': 'application/merge-patch+json' };
  const JSONP = { 'content-type': 'application/json-patch+json' };
  const SMP = { 'content-type': 'application/strategic-merge-patch+json' };
  const APPLY = { 'content-type': 'application/apply-patch+yaml' };

  it('merge patch sets labels and replaces lists', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t', { labels: { a: '1' } }));
    const a = await call(app, 'PATCH', `${TEKTON}/tasks/t`, { metadata: { labels: { b: '2' } }, spec: { steps: [{ name: 'other', image: 'busybox', script: 'true' }] } }, MERGE);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.body.metadata.labels, { a: '1', b: '2' });
    assert.deepEqual(a.body.spec.steps, [{ name: 'other', image: 'busybox', script: 'true' }]);
  });

  it('merge patch with a stale resourceVersion is 409', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t'));
    assertStatus(await call(app, 'PATCH', `${TEKTON}/tasks/t`, { metadata: { resourceVersion: '1', labels: { a: 'b' } } }, MERGE), 409, 'Conflict');
  });

  it('strategic merge patch merges steps by name', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t'));
    const a = await call(app, 'PATCH', `${TEKTON}/tasks/t`, { spec: { steps: [{ name: 'build', image: 'busybox' }] } }, SMP);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.body.spec.steps, [{ name: 'build', image: 'busybox', script: 'echo hi' }]);
  });

  const jsonPatches: Array<{ name: string; patch: unknown; code: number; reason?: string; message?: string | RegExp; check?: (o: any) => void }> = [
    {
      name: 'test then replace succeeds',
      patch: [{ op: 'test', path: '/spec/steps/0/image', value: 'alpine' }, { op: 'replace', path: '/spec/steps/0/image', value: 'busybox' }],
      code: 200, check: (o) => assert.equal(o.spec.steps[0].image, 'busybox'),
    },
    { name: 'add a label', patch: [{ op: 'add', path: '/metadata/labels', value: { x: 'y' } }], code: 200, check: (o) => assert.deepEqual(o.metadata.labels, { x: 'y' }) },
    {
      name: 'a failing test op is 422', patch: [{ op: 'test', path: '/spec/steps/0/image', value: 'ubuntu' }],
      code: 422, reason: 'Invalid', message: 'the patch cannot be applied: test failed: /spec/steps/0/image is not "ubuntu"',
    },
    { name: 'removing a missing path is 422', patch: [{ op: 'remove', path: '/spec/nothing' }], code: 422, reason: 'Invalid', message: 'the patch cannot be applied: /spec/nothing: path does not exist' },
    { name: 'not a list is 400', patch: { op: 'add' }, code: 400, reason: 'BadRequest', message: 'the patch is malformed: a JSON patch must be a list of operations' },
    { name: 'an unknown op is 400', patch: [{ op: 'frobnicate', path: '/a' }], code: 400, reason: 'BadRequest', message: 'the patch is malformed: operation 0: unknown op "frobnicate"' },
    { name: 'a missing value is 400', patch: [{ op: 'add', path: '/a' }], code: 400, reason: 'BadRequest', message: 'the patch is malformed: operation 0 (add): missing "value"' },
    {
      name: 'a patch that leaves an invalid object is 422 with the field',
      patch: [{ op: 'remove', path: '/spec/steps/0/image' }], code: 422, reason: 'Invalid', message: /spec\.steps\[0\]\.image/,
    },
    { name: 'renaming the object is 400', patch: [{ op: 'replace', path: '/metadata/name', value: 'other' }], code: 400, reason: 'BadRequest', message: 'the name of the object (other) does not match the name on the URL (t)' },
  ];
  for (const c of jsonPatches) {
    it(`json patch: ${c.name}`, async () => {
      const { app } = setup();
      await created(app, `${TEKTON}/tasks`, task('t'));
      const a = await call(app, 'PATCH', `${TEKTON}/tasks/t`, c.patch, JSONP);
      if (c.code === 200) {
        assert.equal(a.status, 200, a.text);
        c.check?.(a.body);
      } else {
        assertStatus(a, c.code, c.reason!, c.message);
      }
    });
  }

  it('malformed JSON in a patch is 400', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t'));
    assertStatus(await call(app, 'PATCH', `${TEKTON}/tasks/t`, '[{"op":', JSONP), 400, 'BadRequest', /^the request body is not valid JSON: /);
  });

  it('PATCH of a missing object is 404 (but for apply)', async () => {
    const { app } = setup();
    assertStatus(await call(app, 'PATCH', `${TEKTON}/tasks/none`, { metadata: { labels: { a: 'b' } } }, MERGE), 404, 'NotFound', 'tasks.tekton.dev "none" not found');
  });

  it('PATCH on /status changes only the status', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/pipelineruns`, pipelineRun('r'));
    const a = await call(app, 'PATCH', `${TEKTON}/pipelineruns/r/status`, { spec: { pipelineRef: { name: 'changed' } }, status: { conditions: [{ type: 'Succeeded', status: 'False', reason: 'Failed' }] } }, MERGE);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.spec.pipelineRef.name, 'p');
    assert.deepEqual(a.body.status.conditions, [{ type: 'Succeeded', status: 'False', reason: 'Failed' }]);
    const b = await call(app, 'PATCH', `${TEKTON}/pipelineruns/r`, { status: { conditions: [] } }, MERGE);
    assert.deepEqual(b.body.status.conditions, [{ type: 'Succeeded', status: 'False', reason: 'Failed' }], 'the main resource leaves status alone');
  });

  it('apply creates the object when it is missing', async () => {
    const { app } = setup();
    const yaml = 'apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: applied\nspec:\n  pipelineRef: {name: p}\n  params: [{name: a, value: "1"}]\n';
    const a = await call(app, 'PATCH', `${TEKTON}/pipelineruns/applied?fieldManager=kubectl&force=true`, yaml, APPLY);
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.metadata.uid, 'uid-1');
    assert.deepEqual(a.body.spec.params, [{ name: 'a', value: '1' }]);
  });

  it('apply replaces the spec of an existing object, keeping its other metadata and status', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/pipelineruns`, { ...pipelineRun('r', { labels: { keep: 'me' }, annotations: { a: 'b' } }), spec: { pipelineRef: { name: 'p' }, params: [{ name: 'a', value: '1' }] } });
    await call(app, 'PATCH', `${TEKTON}/pipelineruns/r/status`, { status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] } }, MERGE);
    const yaml = 'apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: r\n  labels: {new: label}\nspec:\n  pipelineRef: {name: q}\n';
    const a = await call(app, 'PATCH', `${TEKTON}/pipelineruns/r?fieldManager=kubectl`, yaml, APPLY);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.body.spec.pipelineRef, { name: 'q' });
    assert.equal(a.body.spec.params, undefined, 'fields the configuration leaves out are removed');
    assert.deepEqual(a.body.metadata.labels, { keep: 'me', new: 'label' });
    assert.deepEqual(a.body.metadata.annotations, { a: 'b' });
    assert.equal(a.body.metadata.uid, 'uid-1');
    assert.equal(a.body.status.conditions[0].reason, 'Running');
  });

  it('415 for a Content-Type that is not a patch type', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t'));
    assertStatus(await call(app, 'PATCH', `${TEKTON}/tasks/t`, { a: 1 }), 415, 'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got application/json)');
  });
});

describe('field validation and checks of the body against the URL', () => {
  const withUnknown = { ...task('u'), spec: { steps: [{ name: 'build', image: 'alpine', script: 'echo', bogus: 1 }], extra: true } };

  it('fieldValidation=Strict: 400 naming every unknown field', async () => {
    const { app } = setup();
    const a = await call(app, 'POST', `${TEKTON}/tasks?fieldValidation=Strict`, withUnknown);
    assertStatus(a, 400, 'BadRequest', /^strict decoding error: /);
    assert.deepEqual(a.body.details.causes.map((c: any) => c.field).sort(), ['spec.extra', 'spec.steps[0].bogus']);
    assert.equal((await call(app, 'GET', `${TEKTON}/tasks/u`)).status, 404, 'nothing stored');
  });

  it('fieldValidation=Warn (the default): stored, with a Warning header per field', async () => {
    for (const q of ['?fieldValidation=Warn', '']) {
      const { app } = setup();
      const a = await call(app, 'POST', `${TEKTON}/tasks${q}`, withUnknown);
      assert.equal(a.status, 201, a.text);
      assert.deepEqual(warnings(a).sort(), ['299 - "unknown field \\"spec.extra\\""', '299 - "unknown field \\"spec.steps[0].bogus\\""']);
      assert.equal(a.body.spec.extra, undefined);
    }
  });

  it('fieldValidation=Ignore: stored without warnings', async () => {
    const { app } = setup();
    const a = await call(app, 'POST', `${TEKTON}/tasks?fieldValidation=Ignore`, withUnknown);
    assert.equal(a.status, 201);
    assert.deepEqual(warnings(a), []);
  });

  it('Strict applies to PATCH results too', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t'));
    const a = await call(app, 'PATCH', `${TEKTON}/tasks/t?fieldValidation=Strict`, { spec: { nope: 1 } }, { 'content-type': 'application/merge-patch+json' });
    assertStatus(a, 400, 'BadRequest', 'strict decoding error: unknown field "spec.nope"');
  });

  it('validation errors: 422 Invalid with every field path in details.causes', async () => {
    const { app } = setup();
    const a = await call(app, 'POST', `${TEKTON}/tasks`, { ...task('bad'), spec: { steps: [{ name: 'a', script: 'x' }, { name: 'a', image: 'alpine', script: 'x' }] } });
    assertStatus(a, 422, 'Invalid', /^Task\.tekton\.dev "bad" is invalid: /);
    assert.deepEqual([a.body.details.name, a.body.details.group, a.body.details.kind], ['bad', 'tekton.dev', 'Task']);
    const fields = a.body.details.causes.map((c: any) => c.field);
    assert.ok(fields.includes('spec.steps[0].image'), fields.join());
    assert.ok(fields.some((f: string) => f.startsWith('spec.steps[1]')), fields.join());
  });

  const mismatches: Array<{ name: string; method: string; url: string; body: unknown; message: string }> = [
    { name: 'a wrong kind', method: 'POST', url: `${TEKTON}/tasks`, body: { ...task('t'), kind: 'Pipeline' }, message: 'the kind of the object (Pipeline) does not match the kind of the URL (Task)' },
    { name: 'a wrong apiVersion', method: 'POST', url: `${TEKTON}/tasks`, body: { ...task('t'), apiVersion: 'tekton.dev/v1beta1' }, message: 'the API version in the data (tekton.dev/v1beta1) does not match the expected API version (tekton.dev/v1)' },
    { name: 'a wrong group', method: 'POST', url: `${TEKTON}/tasks`, body: { ...task('t'), apiVersion: 'example.com/v1' }, message: 'the API version in the data (example.com/v1) does not match the expected API version (tekton.dev/v1)' },
    { name: 'a wrong namespace', method: 'POST', url: `${TEKTON}/tasks`, body: task('t', { namespace: 'prod' }), message: 'the namespace of the provided object (prod) does not match the namespace sent on the request (default)' },
    { name: 'a wrong name on PUT', method: 'PUT', url: `${TEKTON}/tasks/t`, body: task('other'), message: 'the name of the object (other) does not match the name on the URL (t)' },
    { name: 'a list as the body', method: 'POST', url: `${TEKTON}/tasks`, body: [task('t')], message: 'the request body must be a Task object, got a list' },
  ];
  for (const c of mismatches) {
    it(`400 for ${c.name}`, async () => {
      const { app } = setup();
      await created(app, `${TEKTON}/tasks`, task('t'));
      assertStatus(await call(app, c.method, c.url, c.body), 400, 'BadRequest', c.message);
    });
  }

  it('415 for an unsupported Content-Type', async () => {
    const { app } = setup();
    assertStatus(await call(app, 'POST', `${TEKTON}/tasks`, 'name: x', { 'content-type': 'text/plain' }), 415, 'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got text/plain)');
  });

  it('413 for a body over bodyLimit', async () => {
    const { app } = setup({ bodyLimit: 1024 });
    const big = { ...task('big'), metadata: { name: 'big', annotations: { a: 'x'.repeat(2000) } } };
    assertStatus(await call(app, 'POST', `${TEKTON}/tasks`, big), 413, 'RequestEntityTooLarge', 'the request body is too large');
    assert.equal((await call(app, 'POST', `${TEKTON}/tasks`, task('small'))).status, 201, 'a body under the limit is fine');
  });
});

describe('delete', () => {
  it('DELETE answers a Success Status; the object is gone', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t'));
    const a = await call(app, 'DELETE', `${TEKTON}/tasks/t`);
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 't', group: 'tekton.dev', kind: 'tasks', uid: 'uid-1' }, code: 200 });
    assertStatus(await call(app, 'GET', `${TEKTON}/tasks/t`), 404, 'NotFound');
    assertStatus(await call(app, 'DELETE', `${TEKTON}/tasks/t`), 404, 'NotFound', 'tasks.tekton.dev "t" not found');
  });

  it('ownerReferences cascade: the TaskRun of a deleted PipelineRun is gone', async () => {
    const { app } = setup();
    const run = await created(app, `${TEKTON}/pipelineruns`, pipelineRun('pr'));
    const owner = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'pr', uid: run.metadata.uid, controller: true, blockOwnerDeletion: true };
    await created(app, `${TEKTON}/taskruns`, taskRun('pr-build', { ownerReferences: [owner] }));
    await created(app, `${TEKTON}/taskruns`, taskRun('unowned'));
    assert.equal((await call(app, 'DELETE', `${TEKTON}/pipelineruns/pr`)).status, 200);
    assertStatus(await call(app, 'GET', `${TEKTON}/taskruns/pr-build`), 404, 'NotFound', 'taskruns.tekton.dev "pr-build" not found');
    assert.equal((await call(app, 'GET', `${TEKTON}/taskruns/unowned`)).status, 200);
  });

  it('preconditions: a wrong uid is 409 and nothing is deleted', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t'));
    assertStatus(await call(app, 'DELETE', `${TEKTON}/tasks/t`, { preconditions: { uid: 'nope' } }), 409, 'Conflict', 'Precondition failed: UID in precondition: nope, UID in object meta: uid-1');
    assert.equal((await call(app, 'GET', `${TEKTON}/tasks/t`)).status, 200);
  });

  it('dryRun=All deletes nothing', async () => {
    const { app } = setup();
    await created(app, `${TEKTON}/tasks`, task('t'));
    assert.equal((await call(app, 'DELETE', `${TEKTON}/tasks/t?dryRun=All`)).body.status, 'Success');
    assert.equal((await call(app, 'GET', `${TEKTON}/tasks/t`)).status, 200);
  });

  it('deletecollection deletes what the selector picks and answers the list of them', async () => {
    const { app } = setup();
    await created(app, `${CORE}/configmaps`, configMap('a', { group: 'x' }));
    await created(app, `${CORE}/configmaps`, configMap('b', { group: 'x' }));
    await created(app, `${CORE}/configmaps`, configMap('c', { group: 'y' }));
    const a = await call(app, 'DELETE', `${CORE}/configmaps?labelSelector=group%3Dx`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.kind, 'ConfigMapList');
    assert.deepEqual(a.body.items.map((o: KObject) => o.metadata.name), ['a', 'b']);
    assert.deepEqual((await call(app, 'GET', `${CORE}/configmaps`)).body.items.map((o: KObject) => o.metadata.name), ['c']);
  });
});

describe('bearer token', () => {
  const { app } = setup({ token: 's3cret' });
  const cases: Array<{ name: string; url: string; auth?: string; code: number }> = [
    { name: 'no token', url: '/api', code: 401 },
    { name: 'a wrong token', url: '/api', auth: 'Bearer wrong', code: 401 },
    { name: 'not a bearer token', url: '/api', auth: 'Basic czNjcmV0', code: 401 },
    { name: 'no token on a resource', url: `${TEKTON}/tasks`, code: 401 },
    { name: 'the right token', url: '/api', auth: 'Bearer s3cret', code: 200 },
    { name: 'the right token on a resource', url: `${TEKTON}/tasks`, auth: 'Bearer s3cret', code: 200 },
    { name: '/healthz is public', url: '/healthz', code: 200 },
    { name: '/readyz is public', url: '/readyz', code: 200 },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.code}`, async () => {
      const a = await call(app, 'GET', c.url, undefined, c.auth ? { authorization: c.auth } : {});
      if (c.code === 401) assertStatus(a, 401, 'Unauthorized', 'Unauthorized');
      else assert.equal(a.status, c.code, a.text);
    });
  }
});

/** Reads a streamed body line by line. */
async function* linesOf(res: Response): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    yield* parts;
  }
}

/** Opens a watch over a real socket; `next()` gives the next event. */
async function openWatch(base: string, path: string): Promise<{ status: number; next: () => Promise<any>; close: () => void }> {
  const ac = new AbortController();
  const res = await fetch(`${base}${path}`, { signal: ac.signal });
  const lines = linesOf(res);
  return {
    status: res.status,
    async next() {
      const r = await lines.next();
      return r.done ? undefined : JSON.parse(r.value);
    },
    close: () => ac.abort(),
  };
}

describe('closing the server', () => {
  it('ends open watches so close() does not wait for their clients', async () => {
    const { app } = setup();
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const w = await openWatch(base, `${CORE}/configmaps?watch=true`);
    assert.equal(w.status, 200);
    const closed = app.close().then(() => 'closed');
    const waited = await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open after 5 s'), 5000))]);
    assert.equal(waited, 'closed');
    assert.equal(await w.next(), undefined, 'the watch stream ended');
  });
});

describe('watch', async () => {
  const { app, store } = setup({ historySize: 3 });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  after(() => app.close());
  const names = (evs: any[]) => evs.map((e) => `${e.type} ${e.object.metadata.name}`);

  it('events arrive as JSON lines as objects change', async () => {
    const w = await openWatch(base, `${CORE}/configmaps?watch=true`);
    assert.equal(w.status, 200);
    const a = await created(app, `${CORE}/configmaps`, configMap('w1'));
    await call(app, 'PATCH', `${CORE}/configmaps/w1`, { data: { k: 'changed' } }, { 'content-type': 'application/merge-patch+json' });
    await call(app, 'DELETE', `${CORE}/configmaps/w1`);
    const evs = [await w.next(), await w.next(), await w.next()];
    w.close();
    assert.deepEqual(names(evs), ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
    assert.equal(evs[0].object.metadata.uid, a.metadata.uid);
    assert.equal(evs[1].object.data.k, 'changed');
  });

  it('resourceVersion resumes after a version; 0 starts with the existing objects', async () => {
    const first = await created(app, `${CORE}/configmaps`, configMap('r1'));
    await created(app, `${CORE}/configmaps`, configMap('r2'));
    const resumed = await openWatch(base, `${CORE}/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    assert.deepEqual(names([await resumed.next()]), ['ADDED r2']);
    resumed.close();
    const all = await openWatch(base, `${CORE}/configmaps?watch=true&resourceVersion=0`);
    assert.deepEqual(names([await all.next(), await all.next()]), ['ADDED r1', 'ADDED r2']);
    all.close();
  });

  it('a label selector filters the events', async () => {
    const w = await openWatch(base, `${CORE}/configmaps?watch=true&labelSelector=pick%3Dme`);
    await created(app, `${CORE}/configmaps`, configMap('skip', { pick: 'no' }));
    await created(app, `${CORE}/configmaps`, configMap('take', { pick: 'me' }));
    assert.deepEqual(names([await w.next()]), ['ADDED take']);
    w.close();
  });

  it('a too-old resourceVersion: the memory store refuses at once, so the answer is HTTP 410 Gone', async () => {
    for (let i = 0; i < 5; i++) await store.create({ group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true }, configMap(`old-${i}`));
    const res = await fetch(`${base}${CORE}/configmaps?watch=true&resourceVersion=2`);
    const body = (await res.json()) as { kind: string; reason: string; code: number; message: string };
    assert.equal(res.status, 410);
    assert.deepEqual([body.kind, body.reason, body.code], ['Status', 'Gone', 410]);
    assert.match(body.message, /^too old resource version: 2 \(\d+\)$/);
  });

  it('timeoutSeconds ends the stream; secrets in events carry no data', async () => {
    await created(app, `${CORE}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'Yg==' } });
    const a = await call(app, 'GET', `${CORE}/secrets?watch=true&resourceVersion=0&timeoutSeconds=1`);
    assert.equal(a.status, 200);
    const evs = a.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(names(evs), ['ADDED s']);
    assert.equal(evs[0].object.data, undefined);
  });

  it('events in Table form when kubectl asks for it', async () => {
    const a = await call(app, 'GET', `${CORE}/configmaps?watch=true&resourceVersion=0&timeoutSeconds=1&labelSelector=pick%3Dme`, undefined, { accept: TABLE });
    const evs = a.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(evs.map((e) => [e.type, e.object.kind, e.object.rows[0].cells[0]]), [['ADDED', 'Table', 'take']]);
  });

  it('bad watch parameters are 400 before the stream starts', async () => {
    assertStatus(await call(app, 'GET', `${CORE}/configmaps?watch=true&resourceVersion=abc`), 400, 'BadRequest', 'invalid resourceVersion "abc": must be a decimal number');
    assertStatus(await call(app, 'GET', `${CORE}/configmaps?watch=true&timeoutSeconds=-1`), 400, 'BadRequest', 'invalid timeoutSeconds "-1": expected a non-negative integer');
  });
});

describe('TaskRun logs', async () => {
  const seen: Array<{ namespace: string; name: string; follow: boolean; timestamps?: boolean }> = [];
  const logs: LogSource = async function* fakeLogs(namespace, name, { follow, timestamps }) {
    seen.push({ namespace, name, follow, ...(timestamps ? { timestamps } : {}) });
    yield { step: 'clone', line: 'cloning', ...(timestamps ? { time: '2026-12-05T21:55:01.5Z' } : {}) };
    yield { step: 'build', line: 'building "it"', ...(timestamps ? { time: '2026-12-05T21:55:02Z' } : {}) };
  };
  const { app } = setup({ logs });
  await created(app, `${TEKTON}/taskruns`, taskRun('r'));

  it('text form: `[step] line`', async () => {
    const a = await call(app, 'GET', `${TEKTON}/taskruns/r/log`);
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(a.text, '[clone] cloning\n[build] building "it"\n');
  });

  it('jsonl form: one {step, line} per line; follow is passed on', async () => {
    const a = await call(app, 'GET', `${TEKTON}/taskruns/r/log?format=jsonl&follow=true`);
    assert.equal(a.headers['content-type'], 'application/jsonl');
    assert.deepEqual(a.text.trim().split('\n').map((l) => JSON.parse(l)), [{ step: 'clone', line: 'cloning' }, { step: 'build', line: 'building "it"' }]);
    assert.deepEqual(seen.at(-1), { namespace: 'default', name: 'r', follow: true });
  });

  it('timestamps=true, as for a Pod: each text line prefixed with its RFC 3339 time, a time field in jsonl', async () => {
    const a = await call(app, 'GET', `${TEKTON}/taskruns/r/log?timestamps=true`);
    assert.equal(a.text, '2026-12-05T21:55:01.5Z [clone] cloning\n2026-12-05T21:55:02Z [build] building "it"\n');
    assert.deepEqual(seen.at(-1), { namespace: 'default', name: 'r', follow: false, timestamps: true });
    const j = await call(app, 'GET', `${TEKTON}/taskruns/r/log?format=jsonl&timestamps=true`);
    assert.deepEqual(j.text.trim().split('\n').map((l) => JSON.parse(l)), [{ step: 'clone', line: 'cloning', time: '2026-12-05T21:55:01.5Z' }, { step: 'build', line: 'building "it"', time: '2026-12-05T21:55:02Z' }]);
    const none = await call(app, 'GET', `${TEKTON}/taskruns/r/log?timestamps=false`);
    assert.equal(none.text, '[clone] cloning\n[build] building "it"\n');
  });

  const failures: Array<{ name: string; method: string; url: string; code: number; reason: string; message: string }> = [
    { name: 'a missing TaskRun', method: 'GET', url: `${TEKTON}/taskruns/none/log`, code: 404, reason: 'NotFound', message: 'taskruns.tekton.dev "none" not found' },
    { name: 'logs of a kind without them', method: 'GET', url: `${TEKTON}/pipelineruns/r/log`, code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' },
    { name: 'POST to logs', method: 'POST', url: `${TEKTON}/taskruns/r/log`, code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource: POST taskruns/log' },
  ];
  for (const c of failures) {
    it(`${c.code} for ${c.name}`, async () => {
      assertStatus(await call(app, c.method, c.url), c.code, c.reason, c.message);
    });
  }

  it('404 when the server has no log source', async () => {
    const bare = setup().app;
    await created(bare, `${TEKTON}/taskruns`, taskRun('r'));
    assertStatus(await call(bare, 'GET', `${TEKTON}/taskruns/r/log`), 404, 'NotFound', 'logs are not served here');
  });
});
