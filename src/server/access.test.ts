// Access control through the whole server (app.inject over a memory store): who may do what.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore } from '../store/memory.ts';
import type { User } from './authz.ts';
import { createServer } from './server.ts';

const USERS: Record<string, User> = {
  kiln_view: { name: 'view', role: 'viewer', namespaces: ['a'] },
  kiln_run: { name: 'ci', role: 'runner', namespaces: ['a'] },
  kiln_all: { name: 'all', role: 'viewer', namespaces: [] },
  kiln_nsadmin: { name: 'nsadmin', role: 'admin', namespaces: ['a'] },
};

function setup(token = 'adm'): { app: FastifyInstance; users: Record<string, User> } {
  const users = { ...USERS };
  return { app: createServer({ store: createMemoryStore(), token, lookup: (t) => users[t] }), users };
}

async function call(app: FastifyInstance, bearer: string | undefined, method: string, url: string, body?: unknown, contentType = 'application/json') {
  const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await app.inject({ method: method as 'GET', url, headers, payload: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().startsWith('application/json') ? JSON.parse(res.body) : res.body };
}

const T = '/apis/tekton.dev/v1/namespaces';
/** What kubectl 1.32 sent for `kubectl auth can-i create pipelineruns.tekton.dev -n team` (captured; also in protobuf.test.ts). */
const KUBECTL_SSAR = Buffer.from('6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577124f0a100a0012001a0022002a0032003800420012310a2f0a047465616d12066372656174651a0022002a17706970656c696e6572756e732e74656b746f6e2e64657632003a001a08080012001a0020001a002200', 'hex');
const run = (ns: string, name = 'r1') => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: ns }, spec: { pipelineSpec: { tasks: [{ name: 't', taskSpec: { steps: [{ image: 'x', script: 'true' }] } }] } } });

describe('access control', () => {
  const cases: Array<{ name: string; bearer: string | undefined; method: string; url: string; body?: unknown; status: number; message?: string }> = [
    { name: 'no token: 401', bearer: undefined, method: 'GET', url: `${T}/a/pipelineruns`, status: 401 },
    { name: 'a token nobody has: 401', bearer: 'kiln_nope', method: 'GET', url: `${T}/a/pipelineruns`, status: 401 },
    { name: 'viewer lists in its namespace', bearer: 'kiln_view', method: 'GET', url: `${T}/a/pipelineruns`, status: 200 },
    { name: 'viewer cannot watch another namespace', bearer: 'kiln_view', method: 'GET', url: `${T}/b/pipelineruns?watch=1`, status: 403, message: 'pipelineruns.tekton.dev is forbidden: User "view" cannot watch resource "pipelineruns" in API group "tekton.dev" in the namespace "b"' },
    { name: 'viewer cannot list another namespace', bearer: 'kiln_view', method: 'GET', url: `${T}/b/pipelineruns`, status: 403, message: 'pipelineruns.tekton.dev is forbidden: User "view" cannot list resource "pipelineruns" in API group "tekton.dev" in the namespace "b"' },
    { name: 'viewer cannot list every namespace', bearer: 'kiln_view', method: 'GET', url: '/apis/tekton.dev/v1/pipelineruns', status: 403, message: 'pipelineruns.tekton.dev is forbidden: User "view" cannot list resource "pipelineruns" in API group "tekton.dev" at the cluster scope' },
    { name: 'viewer cannot create', bearer: 'kiln_view', method: 'POST', url: `${T}/a/pipelineruns`, body: run('a'), status: 403, message: 'pipelineruns.tekton.dev is forbidden: User "view" cannot create resource "pipelineruns" in API group "tekton.dev" in the namespace "a"' },
    { name: 'viewer cannot read Secrets', bearer: 'kiln_view', method: 'GET', url: '/api/v1/namespaces/a/secrets/s', status: 403, message: 'secrets "s" is forbidden: User "view" cannot get resource "secrets" in API group "" in the namespace "a"' },
    { name: 'viewer may read logs (404: no such run)', bearer: 'kiln_view', method: 'GET', url: `${T}/a/taskruns/x/log`, status: 404 },
    { name: 'an encoded slash does not leave the namespace', bearer: 'kiln_view', method: 'GET', url: `${T}/b%2Fpipelineruns%2F..%2F..%2Fa/pipelineruns`, status: 404 },
    { name: 'runner creates in its namespace', bearer: 'kiln_run', method: 'POST', url: `${T}/a/pipelineruns`, body: run('a'), status: 201 },
    { name: 'runner cannot create in another namespace', bearer: 'kiln_run', method: 'POST', url: `${T}/b/pipelineruns`, body: run('b'), status: 403, message: 'pipelineruns.tekton.dev is forbidden: User "ci" cannot create resource "pipelineruns" in API group "tekton.dev" in the namespace "b"' },
    { name: 'runner cannot create through the all-namespaces path', bearer: 'kiln_run', method: 'POST', url: '/apis/tekton.dev/v1/pipelineruns', body: run('b'), status: 403 },
    { name: 'runner creates Secrets', bearer: 'kiln_run', method: 'POST', url: '/api/v1/namespaces/a/secrets', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }, status: 201 },
    { name: 'runner cannot create Namespaces', bearer: 'kiln_run', method: 'POST', url: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } }, status: 403, message: 'namespaces is forbidden: User "ci" cannot create resource "namespaces" in API group "" at the cluster scope' },
    { name: 'a namespaced admin cannot create Namespaces', bearer: 'kiln_nsadmin', method: 'POST', url: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } }, status: 403 },
    { name: 'a namespaced admin reads Secrets in its namespace', bearer: 'kiln_nsadmin', method: 'GET', url: '/api/v1/namespaces/a/secrets', status: 200 },
    { name: 'the admin token creates Namespaces', bearer: 'adm', method: 'POST', url: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } }, status: 201 },
    { name: 'a viewer gets its own Namespace (404: none stored)', bearer: 'kiln_view', method: 'GET', url: '/api/v1/namespaces/a', status: 404 },
    { name: 'a viewer cannot get another Namespace', bearer: 'kiln_view', method: 'GET', url: '/api/v1/namespaces/b', status: 403 },
    { name: 'an unrestricted viewer lists every namespace', bearer: 'kiln_all', method: 'GET', url: '/apis/tekton.dev/v1/pipelineruns', status: 200 },
    { name: 'discovery: /api', bearer: 'kiln_view', method: 'GET', url: '/api', status: 200 },
    { name: 'discovery: /apis', bearer: 'kiln_view', method: 'GET', url: '/apis', status: 200 },
    { name: 'discovery: /api/v1', bearer: 'kiln_view', method: 'GET', url: '/api/v1', status: 200 },
    { name: 'discovery: a group', bearer: 'kiln_view', method: 'GET', url: '/apis/tekton.dev', status: 200 },
    { name: 'discovery: a group version', bearer: 'kiln_view', method: 'GET', url: '/apis/tekton.dev/v1', status: 200 },
    { name: 'discovery: /version', bearer: 'kiln_view', method: 'GET', url: '/version', status: 200 },
    { name: 'discovery: openapi', bearer: 'kiln_view', method: 'GET', url: '/openapi/v3', status: 200 },
    { name: 'health checks stay public', bearer: undefined, method: 'GET', url: '/readyz', status: 200 },
    { name: 'an unknown path: 403 for a token that is not admin', bearer: 'kiln_run', method: 'GET', url: '/nope', status: 403, message: 'forbidden: User "ci" cannot get path "/nope"' },
    { name: 'an unknown path: 404 for the admin', bearer: 'adm', method: 'GET', url: '/nope', status: 404 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { app } = setup();
      const r = await call(app, c.bearer, c.method, c.url, c.body);
      assert.equal(r.status, c.status, JSON.stringify(r.body));
      if (c.status === 403) assert.deepEqual([r.body.kind, r.body.reason, r.body.code], ['Status', 'Forbidden', 403]);
      if (c.message) assert.equal(r.body.message, c.message);
    });
  }

  it('a runner cancels its run with a patch; a viewer cannot', async () => {
    const { app } = setup();
    assert.equal((await call(app, 'kiln_run', 'POST', `${T}/a/pipelineruns`, run('a'))).status, 201);
    const cancel = { spec: { status: 'Cancelled' } };
    assert.equal((await call(app, 'kiln_view', 'PATCH', `${T}/a/pipelineruns/r1`, cancel, 'application/merge-patch+json')).status, 403);
    const r = await call(app, 'kiln_run', 'PATCH', `${T}/a/pipelineruns/r1`, cancel, 'application/merge-patch+json');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.spec.status, 'Cancelled');
    assert.equal((await call(app, 'kiln_run', 'PUT', `${T}/a/pipelineruns/r1/status`, r.body)).status, 403, 'status is the controllers\' (and admins\')');
    assert.equal((await call(app, 'kiln_run', 'DELETE', `${T}/a/pipelineruns/r1`)).status, 200);
  });

  it('routes registered apart (the EventListener dry run) are authorized as subresources of their namespace', async () => {
    const app = createServer({ store: createMemoryStore(), token: 'adm', lookup: (t) => USERS[t], hooks: { interceptors: {} } });
    const test = (ns: string) => `/apis/triggers.tekton.dev/v1beta1/namespaces/${ns}/eventlisteners/el/test`;
    assert.equal((await call(app, 'kiln_run', 'POST', test('a'), { body: '{}' })).status, 404, 'allowed: no such listener');
    const other = await call(app, 'kiln_run', 'POST', test('b'), { body: '{}' });
    assert.equal(other.status, 403);
    assert.equal(other.body.message, 'eventlisteners.triggers.tekton.dev "el" is forbidden: User "ci" cannot create resource "eventlisteners/test" in API group "triggers.tekton.dev" in the namespace "b"');
    assert.equal((await call(app, 'kiln_view', 'POST', test('a'), { body: '{}' })).status, 403);
    assert.equal((await call(app, undefined, 'POST', '/hooks/a/el', {})).status, 404, 'the sink stays public: no token, no 401');
  });

  it('a token revoked while the server runs is refused at once', async () => {
    const { app, users } = setup();
    assert.equal((await call(app, 'kiln_run', 'GET', `${T}/a/pipelineruns`)).status, 200);
    delete users.kiln_run;
    assert.equal((await call(app, 'kiln_run', 'GET', `${T}/a/pipelineruns`)).status, 401);
  });

  it('without an admin token (--insecure-loopback-only) nothing is checked, named tokens or not', async () => {
    const { app } = setup('');
    assert.equal((await call(app, undefined, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } })).status, 201);
    assert.equal((await call(app, 'kiln_view', 'POST', `${T}/b/pipelineruns`, run('b'))).status, 201);
  });
});

describe('SelfSubjectAccessReview', () => {
  const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
  const review = (spec: unknown) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec });
  const cases: Array<{ name: string; bearer: string | undefined; spec: unknown; allowed: boolean; reason?: string; token?: string }> = [
    { name: 'a runner may create runs in its namespace', bearer: 'kiln_run', spec: { resourceAttributes: { namespace: 'a', verb: 'create', group: 'tekton.dev', resource: 'pipelineruns' } }, allowed: true, reason: 'role runner in namespace "a"' },
    { name: 'a runner may not elsewhere', bearer: 'kiln_run', spec: { resourceAttributes: { namespace: 'b', verb: 'create', group: 'tekton.dev', resource: 'pipelineruns' } }, allowed: false, reason: 'token "ci" has no role in namespace "b" (its namespaces: a)' },
    { name: 'a viewer may not read Secrets', bearer: 'kiln_view', spec: { resourceAttributes: { namespace: 'a', verb: 'get', resource: 'secrets' } }, allowed: false, reason: 'role viewer does not allow this' },
    { name: 'a namespaced admin may not create Namespaces, whatever -n says', bearer: 'kiln_nsadmin', spec: { resourceAttributes: { namespace: 'a', verb: 'create', resource: 'namespaces' } }, allowed: false },
    { name: 'discovery, as a non-resource path', bearer: 'kiln_view', spec: { nonResourceAttributes: { verb: 'get', path: '/apis' } }, allowed: true },
    { name: 'the admin token may do anything', bearer: 'adm', spec: { resourceAttributes: { verb: '*', group: '*', resource: '*' } }, allowed: true, reason: 'role admin' },
    { name: 'a server without auth allows everything', bearer: undefined, token: '', spec: { resourceAttributes: { verb: 'delete', resource: 'namespaces' } }, allowed: true, reason: 'the server runs without authentication (--insecure-loopback-only)' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { app } = setup(c.token ?? 'adm');
      const r = await call(app, c.bearer, 'POST', SSAR, review(c.spec));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.kind, 'SelfSubjectAccessReview');
      assert.deepEqual(r.body.spec, c.spec);
      assert.equal(r.body.status.allowed, c.allowed);
      if (!c.allowed) assert.equal(r.body.status.denied, true);
      if (c.reason) assert.equal(r.body.status.reason, c.reason);
    });
  }

  it('a review needs exactly one kind of attributes (422)', async () => {
    const { app } = setup();
    for (const spec of [{}, { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { verb: 'get', path: '/' } }]) {
      const r = await call(app, 'kiln_view', 'POST', SSAR, review(spec));
      assert.equal(r.status, 422);
      assert.equal(r.body.details.causes[0].field, 'spec.resourceAttributes');
    }
    const bad = await call(app, 'kiln_view', 'POST', SSAR, review('x'));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'SelfSubjectAccessReview: spec: expected an object');
  });

  it('reads the protobuf body kubectl sends, answers JSON', async () => {
    const { app } = setup();
    const ask = async (bearer: string) => {
      const res = await app.inject({ method: 'POST', url: SSAR, payload: KUBECTL_SSAR, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/vnd.kubernetes.protobuf,application/json' } });
      assert.equal(res.statusCode, 201, res.body);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      return JSON.parse(res.body);
    };
    // kubectl did not know the resource's group when this was captured: "pipelineruns.tekton.dev" in group ""
    const r = await ask('adm');
    assert.deepEqual(r.spec, { resourceAttributes: { namespace: 'team', verb: 'create', resource: 'pipelineruns.tekton.dev' } });
    assert.equal(r.status.allowed, true);
    assert.equal((await ask('kiln_run')).status.allowed, false);
    const wrong = await app.inject({ method: 'POST', url: SSAR, payload: Buffer.from('k8s\0'), headers: { authorization: 'Bearer adm', 'content-type': 'application/vnd.kubernetes.protobuf' } });
    assert.equal(wrong.statusCode, 400);
    assert.equal(JSON.parse(wrong.body).message, 'expected a SelfSubjectAccessReview, got ""');
  });

  it('asking needs a valid token', async () => {
    const { app } = setup();
    assert.equal((await call(app, undefined, 'POST', SSAR, review({ nonResourceAttributes: { verb: 'get', path: '/' } }))).status, 401);
  });
});
