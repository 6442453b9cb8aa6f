import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, forbidden, normaliseAttributes, resourceAttributes, verbOf, type Attributes, type User } from './authz.ts';
import { HttpError } from './errors.ts';

const viewer: User = { name: 'v', role: 'viewer', namespaces: [] };
const viewerA: User = { name: 'va', role: 'viewer', namespaces: ['a'] };
const runner: User = { name: 'r', role: 'runner', namespaces: [] };
const runnerA: User = { name: 'ra', role: 'runner', namespaces: ['a', 'b'] };
const admin: User = { name: 'ad', role: 'admin', namespaces: [] };
const adminA: User = { name: 'ada', role: 'admin', namespaces: ['a'] };

const res = (verb: string, group: string, resource: string, namespace = 'a', extra: Partial<Attributes> = {}): Attributes => ({ verb, group, resource, namespace, ...extra });

describe('authorize', () => {
  const cases: Array<{ name: string; user: User; a: Attributes; want: boolean }> = [
    // viewer ≈ view
    { name: 'viewer lists PipelineRuns', user: viewer, a: res('list', 'tekton.dev', 'pipelineruns'), want: true },
    { name: 'viewer watches TaskRuns', user: viewer, a: res('watch', 'tekton.dev', 'taskruns'), want: true },
    { name: 'viewer reads TaskRun logs', user: viewer, a: res('get', 'tekton.dev', 'taskruns', 'a', { subresource: 'log', name: 'x' }), want: true },
    { name: 'viewer reads a run\'s status', user: viewer, a: res('get', 'tekton.dev', 'pipelineruns', 'a', { subresource: 'status', name: 'x' }), want: true },
    { name: 'viewer lists across namespaces when unrestricted', user: viewer, a: res('list', 'tekton.dev', 'pipelineruns', ''), want: true },
    { name: 'viewer cannot create a PipelineRun', user: viewer, a: res('create', 'tekton.dev', 'pipelineruns'), want: false },
    { name: 'viewer cannot patch a PipelineRun (cancel)', user: viewer, a: res('patch', 'tekton.dev', 'pipelineruns', 'a', { name: 'x' }), want: false },
    { name: 'viewer cannot read Secrets', user: viewer, a: res('get', '', 'secrets', 'a', { name: 's' }), want: false },
    { name: 'viewer cannot list Secrets', user: viewer, a: res('list', '', 'secrets'), want: false },
    { name: 'viewer reads ConfigMaps', user: viewer, a: res('get', '', 'configmaps', 'a', { name: 'c' }), want: true },
    { name: 'viewer reads EventListeners', user: viewer, a: res('list', 'triggers.tekton.dev', 'eventlisteners'), want: true },
    { name: 'viewer cannot write a kind the server does not know', user: viewer, a: res('get', '', 'pods'), want: false },
    // namespaces
    { name: 'restricted viewer reads in its namespace', user: viewerA, a: res('get', 'tekton.dev', 'pipelineruns', 'a', { name: 'x' }), want: true },
    { name: 'restricted viewer cannot read another namespace', user: viewerA, a: res('get', 'tekton.dev', 'pipelineruns', 'b', { name: 'x' }), want: false },
    { name: 'restricted viewer cannot list across namespaces', user: viewerA, a: res('list', 'tekton.dev', 'pipelineruns', ''), want: false },
    { name: 'restricted viewer gets its own Namespace', user: viewerA, a: res('get', '', 'namespaces', 'a', { name: 'a' }), want: true },
    { name: 'restricted viewer cannot list Namespaces', user: viewerA, a: res('list', '', 'namespaces', ''), want: false },
    { name: 'restricted viewer cannot read cluster-scoped bindings', user: viewerA, a: res('list', 'triggers.tekton.dev', 'clustertriggerbindings', ''), want: false },
    { name: 'unrestricted viewer reads cluster-scoped bindings', user: viewer, a: res('list', 'triggers.tekton.dev', 'clustertriggerbindings', ''), want: true },
    // runner ≈ edit
    { name: 'runner creates a PipelineRun', user: runnerA, a: res('create', 'tekton.dev', 'pipelineruns', 'b'), want: true },
    { name: 'runner patches a PipelineRun (cancel)', user: runnerA, a: res('patch', 'tekton.dev', 'pipelineruns', 'a', { name: 'x' }), want: true },
    { name: 'runner deletes TaskRuns', user: runnerA, a: res('deletecollection', 'tekton.dev', 'taskruns'), want: true },
    { name: 'runner updates Tasks', user: runnerA, a: res('update', 'tekton.dev', 'tasks', 'a', { name: 't' }), want: true },
    { name: 'runner creates StepActions', user: runnerA, a: res('create', 'tekton.dev', 'stepactions'), want: true },
    { name: 'runner creates TriggerTemplates', user: runnerA, a: res('create', 'triggers.tekton.dev', 'triggertemplates'), want: true },
    { name: 'runner reads and writes Secrets', user: runnerA, a: res('create', '', 'secrets'), want: true },
    { name: 'runner reads Secrets', user: runnerA, a: res('get', '', 'secrets', 'a', { name: 's' }), want: true },
    { name: 'runner cannot write a run\'s status subresource', user: runner, a: res('update', 'tekton.dev', 'taskruns', 'a', { subresource: 'status', name: 'x' }), want: false },
    { name: 'runner cannot create in another namespace', user: runnerA, a: res('create', 'tekton.dev', 'pipelineruns', 'c'), want: false },
    { name: 'runner cannot create a Namespace', user: runner, a: res('create', '', 'namespaces', ''), want: false },
    { name: 'runner cannot delete its own Namespace', user: runnerA, a: res('delete', '', 'namespaces', 'a', { name: 'a' }), want: false },
    { name: 'runner cannot write cluster-scoped bindings', user: runner, a: res('create', 'triggers.tekton.dev', 'clustertriggerbindings', ''), want: false },
    { name: 'runner tests an EventListener (dry run)', user: runnerA, a: res('create', 'triggers.tekton.dev', 'eventlisteners', 'a', { name: 'el', subresource: 'test' }), want: true },
    { name: 'viewer cannot test an EventListener', user: viewer, a: res('create', 'triggers.tekton.dev', 'eventlisteners', 'a', { name: 'el', subresource: 'test' }), want: false },
    { name: 'runner cannot write Events', user: runner, a: res('create', '', 'events'), want: false },
    // admin
    { name: 'admin creates Namespaces', user: admin, a: res('create', '', 'namespaces', ''), want: true },
    { name: 'admin writes status', user: admin, a: res('update', 'tekton.dev', 'taskruns', 'a', { subresource: 'status', name: 'x' }), want: true },
    { name: 'admin may do anything, even to unknown kinds', user: admin, a: res('escalate', 'x.io', 'things'), want: true },
    { name: 'restricted admin reads Secrets in its namespace', user: adminA, a: res('list', '', 'secrets'), want: true },
    { name: 'restricted admin cannot create Namespaces', user: adminA, a: res('create', '', 'namespaces', ''), want: false },
    { name: 'restricted admin cannot touch another namespace', user: adminA, a: res('get', '', 'secrets', 'b', { name: 's' }), want: false },
    // every token
    { name: 'a restricted viewer may ask what it may do', user: viewerA, a: res('create', 'authorization.k8s.io', 'selfsubjectaccessreviews', ''), want: true },
    { name: 'discovery: /apis', user: viewerA, a: { verb: 'get', path: '/apis' }, want: true },
    { name: 'discovery: a group version', user: viewerA, a: { verb: 'get', path: '/apis/tekton.dev/v1' }, want: true },
    { name: 'discovery: /api/v1', user: viewerA, a: { verb: 'get', path: '/api/v1' }, want: true },
    { name: 'discovery: openapi', user: viewerA, a: { verb: 'get', path: '/openapi/v3/apis/tekton.dev/v1' }, want: true },
    { name: 'discovery: /version', user: viewerA, a: { verb: 'get', path: '/version' }, want: true },
    { name: 'discovery is read-only', user: runner, a: { verb: 'post', path: '/apis' }, want: false },
    { name: 'an unknown path is not discovery', user: runner, a: { verb: 'get', path: '/metrics' }, want: false },
    { name: 'a lookalike of /version is not discovery', user: runner, a: { verb: 'get', path: '/versionx' }, want: false },
    { name: 'admin gets any path', user: admin, a: { verb: 'get', path: '/metrics' }, want: true },
    { name: 'a restricted admin does not get any path', user: adminA, a: { verb: 'get', path: '/metrics' }, want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(authorize(c.user, c.a).allowed, c.want, authorize(c.user, c.a).reason));

  it('gives a reason either way', () => {
    assert.deepEqual(authorize(runnerA, res('create', 'tekton.dev', 'pipelineruns', 'b')), { allowed: true, reason: 'role runner in namespace "b"' });
    assert.deepEqual(authorize(viewerA, res('get', 'tekton.dev', 'pipelineruns', 'c')), { allowed: false, reason: 'token "va" has no role in namespace "c" (its namespaces: a)' });
    assert.deepEqual(authorize(viewerA, res('list', 'tekton.dev', 'pipelineruns', '')), { allowed: false, reason: 'token "va" has no role cluster-wide (its namespaces: a)' });
    assert.deepEqual(authorize(viewer, res('get', '', 'secrets')), { allowed: false, reason: 'role viewer does not allow this' });
  });
});

describe('forbidden', () => {
  const cases: Array<{ name: string; a: Attributes; message: string }> = [
    { name: 'a namespaced collection', a: res('create', 'tekton.dev', 'pipelineruns', 'ns'), message: 'pipelineruns.tekton.dev is forbidden: User "v" cannot create resource "pipelineruns" in API group "tekton.dev" in the namespace "ns"' },
    { name: 'a named object', a: res('get', '', 'secrets', 'ns', { name: 's' }), message: 'secrets "s" is forbidden: User "v" cannot get resource "secrets" in API group "" in the namespace "ns"' },
    { name: 'a subresource', a: res('update', 'tekton.dev', 'taskruns', 'ns', { name: 'x', subresource: 'status' }), message: 'taskruns.tekton.dev "x" is forbidden: User "v" cannot update resource "taskruns/status" in API group "tekton.dev" in the namespace "ns"' },
    { name: 'cluster-wide', a: res('list', 'tekton.dev', 'pipelineruns', ''), message: 'pipelineruns.tekton.dev is forbidden: User "v" cannot list resource "pipelineruns" in API group "tekton.dev" at the cluster scope' },
    { name: 'a path', a: { verb: 'get', path: '/metrics' }, message: 'forbidden: User "v" cannot get path "/metrics"' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = forbidden(viewer, c.a);
      assert.ok(e instanceof HttpError);
      assert.deepEqual([e.code, e.reason, e.message], [403, 'Forbidden', c.message]);
    });
  }
});

describe('verbOf', () => {
  const cases = [
    { method: 'GET', named: true, watch: false, want: 'get' },
    { method: 'GET', named: false, watch: false, want: 'list' },
    { method: 'GET', named: false, watch: true, want: 'watch' },
    { method: 'HEAD', named: true, watch: false, want: 'get' },
    { method: 'POST', named: false, watch: false, want: 'create' },
    { method: 'PUT', named: true, watch: false, want: 'update' },
    { method: 'PATCH', named: true, watch: false, want: 'patch' },
    { method: 'DELETE', named: true, watch: false, want: 'delete' },
    { method: 'DELETE', named: false, watch: false, want: 'deletecollection' },
    { method: 'OPTIONS', named: false, watch: false, want: 'options' },
  ];
  for (const c of cases) it(`${c.method} named=${c.named} watch=${c.watch} → ${c.want}`, () => assert.equal(verbOf(c.method, c.named, c.watch), c.want));
});

describe('resourceAttributes', () => {
  const cases: Array<{ name: string; method: string; group: string; version: string; rest: string; watch?: boolean; want: Attributes }> = [
    { name: 'a namespaced collection', method: 'POST', group: 'tekton.dev', version: 'v1', rest: 'namespaces/a/pipelineruns', want: res('create', 'tekton.dev', 'pipelineruns', 'a') },
    { name: 'all namespaces', method: 'GET', group: 'tekton.dev', version: 'v1', rest: 'pipelineruns', watch: true, want: res('watch', 'tekton.dev', 'pipelineruns', '') },
    { name: 'a named object', method: 'PATCH', group: 'tekton.dev', version: 'v1beta1', rest: 'namespaces/a/pipelineruns/x', want: res('patch', 'tekton.dev', 'pipelineruns', 'a', { name: 'x' }) },
    { name: 'a log', method: 'GET', group: 'tekton.dev', version: 'v1', rest: 'namespaces/a/taskruns/x/log', want: res('get', 'tekton.dev', 'taskruns', 'a', { name: 'x', subresource: 'log' }) },
    { name: 'a core kind', method: 'DELETE', group: '', version: 'v1', rest: 'namespaces/a/secrets', want: res('deletecollection', '', 'secrets', 'a') },
    { name: 'a Namespace is its own namespace', method: 'GET', group: '', version: 'v1', rest: 'namespaces/a', want: res('get', '', 'namespaces', 'a', { name: 'a' }) },
    { name: 'the Namespace list is cluster-wide', method: 'GET', group: '', version: 'v1', rest: 'namespaces', want: res('list', '', 'namespaces', '') },
    { name: 'a cluster-scoped kind', method: 'GET', group: 'triggers.tekton.dev', version: 'v1beta1', rest: 'clustertriggerbindings/c', want: res('get', 'triggers.tekton.dev', 'clustertriggerbindings', '', { name: 'c' }) },
    { name: 'a query string is ignored', method: 'GET', group: 'tekton.dev', version: 'v1', rest: 'namespaces/a/tasks?x=namespaces/b', want: res('list', 'tekton.dev', 'tasks', 'a') },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(resourceAttributes(c.method, c.group, c.version, c.rest, !!c.watch), c.want));

  it('throws NotFound for what the server does not serve', () => {
    assert.throws(() => resourceAttributes('GET', 'tekton.dev', 'v1', 'namespaces/a/pods', false), (e: unknown) => e instanceof HttpError && e.code === 404);
  });
});

describe('normaliseAttributes', () => {
  const cases: Array<{ name: string; in: Attributes; want: Attributes }> = [
    { name: 'a namespaced kind keeps its namespace', in: res('create', 'tekton.dev', 'pipelineruns', 'a'), want: res('create', 'tekton.dev', 'pipelineruns', 'a') },
    { name: 'a cluster-scoped kind loses it', in: res('create', 'triggers.tekton.dev', 'clustertriggerbindings', 'a'), want: res('create', 'triggers.tekton.dev', 'clustertriggerbindings', '') },
    { name: 'creating a Namespace is cluster-wide', in: res('create', '', 'namespaces', 'a'), want: res('create', '', 'namespaces', '') },
    { name: 'a named Namespace is its own namespace', in: res('get', '', 'namespaces', 'b', { name: 'a' }), want: res('get', '', 'namespaces', 'a', { name: 'a' }) },
    { name: 'an unknown kind is left alone', in: res('get', '', 'pods', 'a'), want: res('get', '', 'pods', 'a') },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(normaliseAttributes(c.in as never), c.want));
});
