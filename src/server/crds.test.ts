// CRDs served at run time and the built-in kinds stored as they are, through the HTTP server
// in-process (app.inject) over a memory store.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore } from '../store/memory.ts';
import type { Store } from '../store/store.ts';
import { createServer } from './server.ts';

const NOW = new Date('2025-01-01T00:10:00Z');
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const apps: FastifyInstance[] = [];
after(async () => { for (const a of apps) await a.close(); });

function server(store: Store = createMemoryStore({ now: () => new Date('2025-01-01T00:00:00Z') })): { app: FastifyInstance; store: Store } {
  const app = createServer({ store, now: () => NOW });
  apps.push(app);
  return { app, store };
}

async function call(app: FastifyInstance, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  const ct = body === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' };
  const res = await app.inject({ method: method as 'GET', url, payload: body === undefined ? undefined : JSON.stringify(body), headers: { ...ct, ...headers } });
  return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
}

const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }, { name: 'Phase', type: 'string', jsonPath: '.status.phase' }],
      schema: { openAPIV3Schema: {
        type: 'object',
        properties: {
          spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string', enum: ['red', 'blue'] } } },
          status: { type: 'object', properties: { phase: { type: 'string' } } },
        },
      } },
    }],
  },
};
const widget = (spec: unknown, name = 'w1') => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec });

describe('CustomResourceDefinitions', () => {
  it('creating a CRD serves its kind: discovery, OpenAPI, CRUD, validation, status, table; deleting it ends all that', async () => {
    const { app } = server();
    assert.equal((await call(app, 'GET', WIDGETS)).status, 404);
    assert.equal((await call(app, 'GET', '/apis/example.com/v1')).status, 404);
    const oldIndex = (await call(app, 'GET', '/openapi/v3')).json;
    const created = await call(app, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual(created.json.status.conditions.map((c: any) => [c.type, c.status]), [['NamesAccepted', 'True'], ['Established', 'True']]);

    const disco = (await call(app, 'GET', '/apis/example.com/v1')).json;
    assert.deepEqual(disco.resources.map((r: any) => [r.name, r.namespaced, r.shortNames]), [['widgets', true, ['wd']], ['widgets/status', true, undefined]]);
    assert.ok((await call(app, 'GET', '/apis')).json.groups.some((g: any) => g.name === 'example.com'));
    const index = (await call(app, 'GET', '/openapi/v3')).json;
    assert.ok(index.paths['apis/example.com/v1'] && !oldIndex.paths['apis/example.com/v1']);
    const doc = (await call(app, 'GET', index.paths['apis/example.com/v1'].serverRelativeURL)).json;
    assert.deepEqual(doc.components.schemas['com.example.v1.Widget'].properties.spec.required, ['size']);

    const ok = await call(app, 'POST', WIDGETS, widget({ size: 2, color: 'red', status: 'x' }));
    assert.equal(ok.status, 201);
    const bad = await call(app, 'POST', WIDGETS, widget({ size: 0, color: 'pink' }, 'w2'));
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json.details.causes.map((c: any) => c.field), ['spec.size', 'spec.color']);
    assert.match(bad.json.message, /spec\.color: Unsupported value: "pink"/);
    const strict = await call(app, 'POST', `${WIDGETS}?fieldValidation=Strict`, widget({ size: 1, bogus: true }, 'w3'));
    assert.equal(strict.status, 400);
    assert.match(strict.json.message, /unknown field "spec\.bogus"/);
    const warned = await call(app, 'POST', WIDGETS, widget({ size: 1, bogus: true }, 'w4'));
    assert.equal(warned.status, 201);
    assert.deepEqual(warned.json.spec, { size: 1 }, 'unknown fields are pruned');
    assert.match(String(warned.headers.warning), /unknown field \\"spec.bogus\\"/);

    const st = await call(app, 'PATCH', `${WIDGETS}/w1/status`, { status: { phase: 'Ready' } });
    assert.equal(st.status, 200, JSON.stringify(st.json));
    const badStatus = await call(app, 'PATCH', `${WIDGETS}/w1/status`, { status: { phase: 3 } });
    assert.equal(badStatus.status, 422);
    const table = (await call(app, 'GET', WIDGETS, undefined, { accept: TABLE })).json;
    assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Name', 'Size', 'Phase']);
    assert.deepEqual(table.rows.map((r: any) => r.cells), [['w1', 2, 'Ready'], ['w4', 1, '']]);

    const del = await call(app, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    assert.equal(del.status, 200);
    assert.equal((await call(app, 'GET', WIDGETS)).status, 404);
    assert.equal((await call(app, 'GET', '/apis/example.com/v1')).status, 404);
    assert.equal((await call(app, 'GET', '/openapi/v3')).json.paths['apis/example.com/v1'], undefined);
    // re-created: the old objects went with their CRD, as in Kubernetes
    assert.equal((await call(app, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD)).status, 201);
    assert.deepEqual((await call(app, 'GET', WIDGETS)).json.items, []);
  });

  it('a CRD in the store is served by a server started later (the restart case); cluster scope', async () => {
    const store = createMemoryStore();
    const first = server(store).app;
    const cluster = { ...CRD, metadata: { name: 'gadgets.example.com' }, spec: { ...CRD.spec, scope: 'Cluster', names: { plural: 'gadgets', kind: 'Gadget' } } };
    assert.equal((await call(first, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', cluster)).status, 201);
    const second = server(store).app;
    const made = await call(second, 'POST', '/apis/example.com/v1/gadgets', { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'x' }, spec: { size: 1 } });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    assert.equal(made.json.metadata.namespace, undefined);
    assert.equal((await call(second, 'GET', '/apis/example.com/v1/gadgets/g')).status, 200);
  });

  it('a CRD written to the store directly (not through this server) is served once the watch sees it', async () => {
    const { app, store } = server();
    await app.ready();
    const { CRD_KIND } = await import('../api/generic/builtin.ts');
    await store.create(CRD_KIND, CRD as never);
    for (let i = 0; i < 200 && (await call(app, 'GET', '/apis/example.com/v1')).status !== 200; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await call(app, 'GET', '/apis/example.com/v1')).status, 200);
  });

  it('with tokens, requests for a CRD-defined kind are authorized as that kind (403 for a viewer, not 404)', async () => {
    const app = createServer({ store: createMemoryStore(), token: 'admin-token', lookup: (t) => (t === 'viewer-token' ? { name: 'v', role: 'viewer', namespaces: [] } : undefined) });
    apps.push(app);
    const admin = { authorization: 'Bearer admin-token' };
    const viewer = { authorization: 'Bearer viewer-token' };
    assert.equal((await call(app, 'GET', WIDGETS, undefined, viewer)).status, 404);
    assert.equal((await call(app, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD, admin)).status, 201);
    const denied = await call(app, 'GET', WIDGETS, undefined, viewer);
    assert.equal(denied.status, 403);
    assert.match(denied.json.message, /cannot list resource "widgets" in API group "example.com"/);
    assert.equal((await call(app, 'GET', WIDGETS, undefined, admin)).status, 200);
  });

  it('an invalid CRD is refused naming its fields', async () => {
    const { app } = server();
    const bad = await call(app, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { ...CRD, spec: { ...CRD.spec, scope: 'Everywhere', versions: [] } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json.details.causes.map((c: any) => c.field), ['spec.scope', 'spec.versions']);
  });
});

describe('built-in kinds stored as they are', () => {
  const deploy = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    status: { readyReplicas: 9 },
  };

  it('a Deployment: stored as written (status dropped on create), status writable, kubectl columns', async () => {
    const { app } = server();
    const made = await call(app, 'POST', '/apis/apps/v1/namespaces/default/deployments', deploy);
    assert.equal(made.status, 201, JSON.stringify(made.json));
    assert.deepEqual(made.json.spec, deploy.spec);
    assert.equal(made.json.status, undefined);
    const st = await call(app, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/status', { status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 } });
    assert.equal(st.status, 200);
    const table = (await call(app, 'GET', '/apis/apps/v1/namespaces/default/deployments', undefined, { accept: TABLE })).json;
    assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    assert.deepEqual(table.rows[0].cells, ['web', '1/2', 2, 1, '10m']);
    const disco = (await call(app, 'GET', '/apis/apps/v1')).json;
    assert.deepEqual(disco.resources.find((r: any) => r.name === 'deployments').shortNames, ['deploy']);
    assert.deepEqual(disco.resources.find((r: any) => r.name === 'deployments').categories, ['all']);
    const index = (await call(app, 'GET', '/openapi/v3')).json;
    const doc = (await call(app, 'GET', index.paths['apis/apps/v1'].serverRelativeURL)).json;
    const schema = doc.components.schemas['apps.v1.Deployment'];
    assert.equal(schema['x-kubernetes-preserve-unknown-fields'], true, 'free-form: kiln does not know Deployment fields');
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  });

  it('Services and Pods in core v1, Jobs, cluster-scoped ClusterRoles named like Kubernetes names them; metadata still checked', async () => {
    const { app } = server();
    const svc = await call(app, 'POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
    assert.equal(svc.status, 201);
    const table = (await call(app, 'GET', '/api/v1/namespaces/default/services', undefined, { accept: TABLE })).json;
    assert.deepEqual(table.rows[0].cells, ['web', 'ClusterIP', '<none>', '<none>', '80/TCP', '10m']);
    assert.equal((await call(app, 'POST', '/apis/batch/v1/namespaces/default/jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: {} })).status, 201);
    const role = await call(app, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:view-x' }, rules: [] });
    assert.equal(role.status, 201, JSON.stringify(role.json));
    assert.equal(role.json.metadata.namespace, undefined);
    const badName = await call(app, 'POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: {} });
    assert.equal(badName.status, 422);
    assert.equal(badName.json.details.causes[0].field, 'metadata.name');
  });

  it('a kind without the status subresource keeps status as part of the object (create and update)', async () => {
    const { app } = server();
    const url = '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles';
    assert.equal((await call(app, 'GET', `${url}/r/status`)).status, 404);
    const made = await call(app, 'POST', url, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [], status: { a: 1 } });
    assert.deepEqual(made.json.status, { a: 1 });
    const put = await call(app, 'PUT', `${url}/r`, { ...made.json, status: { a: 2 } });
    assert.deepEqual(put.json.status, { a: 2 });
  });
});
