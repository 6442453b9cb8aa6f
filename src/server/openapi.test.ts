import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { findKind } from '../api/registry.ts';
import type { Schema } from '../api/schema.ts';
import { NAMED_SCHEMAS, PIPELINE_SPEC } from '../api/schema.ts';
import { toOpenApi } from '../api/openapi-schema.ts';
import { definitionName, groupVersionDocument, openApiDocumentText, openApiIndex, openApiKey } from './openapi.ts';
import { groupVersions, kindsIn } from './paths.ts';

/** A JSON document the tests walk freely. */
type Doc = Record<string, any>;

/** Every `$ref` in a document. */
function refsOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refsOf(x, out);
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refsOf(x, out);
    }
  }
  return out;
}

/** Paths of the properties under `schema` without a non-empty description (`[]`: list items, `{}`: map values). */
function undescribed(schema: Doc, path: string, out: string[] = []): string[] {
  for (const [k, v] of Object.entries((schema.properties ?? {}) as Doc)) {
    const p = `${path}.${k}`;
    if (typeof v.description !== 'string' || v.description.trim() === '') out.push(p);
    undescribed(v, p, out);
  }
  if (schema.items) undescribed(schema.items, `${path}[]`, out);
  if (typeof schema.additionalProperties === 'object') undescribed(schema.additionalProperties, `${path}{}`, out);
  return out;
}

describe('definitionName and openApiKey', () => {
  const cases = [
    { name: 'a tekton kind', kind: 'Task', version: 'v1', suffix: '', want: 'dev.tekton.v1.Task' },
    { name: 'a list', kind: 'PipelineRun', version: 'v1beta1', suffix: 'List', want: 'dev.tekton.v1beta1.PipelineRunList' },
    { name: 'a core kind', kind: 'ConfigMap', version: 'v1', suffix: '', want: 'io.k8s.api.core.v1.ConfigMap' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(definitionName(findKind(c.kind)!, c.version, c.suffix), c.want));
  it('keys', () => {
    assert.equal(openApiKey('tekton.dev', 'v1'), 'apis/tekton.dev/v1');
    assert.equal(openApiKey('', 'v1'), 'api/v1');
  });
});

describe('toOpenApi', () => {
  const cases: Array<{ name: string; schema: Schema; want: unknown }> = [
    { name: 'string', schema: { t: 'string' }, want: { type: 'string' } },
    { name: 'int', schema: { t: 'int' }, want: { type: 'integer', format: 'int64' } },
    { name: 'bool', schema: { t: 'bool' }, want: { type: 'boolean' } },
    { name: 'any', schema: { t: 'any' }, want: { 'x-kubernetes-preserve-unknown-fields': true } },
    { name: 'intOrString', schema: { t: 'intOrString' }, want: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } },
    { name: 'stringMap', schema: { t: 'stringMap' }, want: { type: 'object', additionalProperties: { type: 'string' } } },
    { name: 'list', schema: { t: 'list', of: { t: 'bool' } }, want: { type: 'array', items: { type: 'boolean' } } },
    { name: 'mapOf', schema: { t: 'mapOf', of: { t: 'int' } }, want: { type: 'object', additionalProperties: { type: 'integer', format: 'int64' } } },
    {
      name: 'object without legacy fields',
      schema: { t: 'object', fields: { a: { t: 'string' } }, legacy: { old: { t: 'string' } } },
      want: { type: 'object', properties: { a: { type: 'string' } } },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(toOpenApi(c.schema, false), c.want));

  it('legacy fields with legacy', () => {
    const s: Schema = { t: 'object', fields: { a: { t: 'string' } }, legacy: { old: { t: 'int' } } };
    assert.deepEqual(toOpenApi(s, true), { type: 'object', properties: { a: { type: 'string' }, old: { type: 'integer', format: 'int64' } } });
  });

  it('terminates on the recursive Pipeline schema (pipelines in pipelines), free-form where it recurs', () => {
    const spec = toOpenApi(PIPELINE_SPEC, false) as Doc;
    const task = spec.properties.tasks.items;
    assert.equal(task.type, 'object');
    assert.equal(task.properties.name.type, 'string');
    assert.equal(task.properties.pipelineSpec.type, 'object');
    assert.equal(task.properties.pipelineSpec['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal(task.properties.pipelineSpec.properties, undefined);
    assert.equal(task.properties.taskRef.properties.name.type, 'string');
    assert.deepEqual(spec.properties.finally.items, task, 'siblings that are not recursive are described in full');
  });

  it('a shared, non-recursive object is described everywhere it is used', () => {
    const leaf: Schema = { t: 'object', fields: { x: { t: 'string' } } };
    const s: Schema = { t: 'object', fields: { a: leaf, b: { t: 'list', of: leaf } } };
    assert.deepEqual(toOpenApi(s, false), {
      type: 'object',
      properties: { a: { type: 'object', properties: { x: { type: 'string' } } }, b: { type: 'array', items: { type: 'object', properties: { x: { type: 'string' } } } } },
    });
  });
});

describe('groupVersionDocument', () => {
  for (const { group, version } of groupVersions()) {
    describe(`${group || 'core'}/${version}`, () => {
      const doc = groupVersionDocument(group, version) as Doc;
      const kinds = kindsIn(group, version);

      it('is an OpenAPI 3 document', () => {
        assert.equal(doc.openapi, '3.0.0');
        assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.32.0-kiln' });
      });

      it("has each kind's schema and list schema with x-kubernetes-group-version-kind", () => {
        const schemas = doc.components.schemas;
        for (const info of kinds) {
          const s = schemas[definitionName(info, version)];
          assert.ok(s, definitionName(info, version));
          assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group, version, kind: info.kind }]);
          assert.deepEqual(Object.keys(s.properties).slice(0, 3), ['apiVersion', 'kind', 'metadata']);
          const list = schemas[definitionName(info, version, 'List')];
          assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group, version, kind: `${info.kind}List` }]);
          assert.deepEqual(list.properties.items.items, { $ref: `#/components/schemas/${definitionName(info, version)}` });
          if (s.properties.status) assert.equal(s.properties.status['x-kubernetes-preserve-unknown-fields'], true, `${info.kind} status is free-form`);
        }
        for (const name of ['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions']) assert.ok(schemas[`io.k8s.apimachinery.pkg.apis.meta.v1.${name}`], name);
      });

      it('has no schema of a kind it does not serve', () => {
        const served = new Set(kinds.flatMap((k) => [definitionName(k, version), definitionName(k, version, 'List')]));
        const others = Object.keys(doc.components.schemas).filter((n) => !n.startsWith('io.k8s.apimachinery.') && !served.has(n));
        assert.deepEqual(others, []);
      });

      it('every $ref resolves in the document', () => {
        const refs = refsOf(doc);
        assert.ok(refs.length > 0);
        for (const r of refs) {
          assert.match(r, /^#\/components\/schemas\//);
          assert.ok(doc.components.schemas[r.slice('#/components/schemas/'.length)], r);
        }
      });

      it('PATCH operations carry their group-version-kind and the fieldValidation parameter', () => {
        let patches = 0;
        for (const [path, item] of Object.entries(doc.paths as Doc)) {
          if (!item.patch) continue;
          patches++;
          const gvk = item.patch['x-kubernetes-group-version-kind'];
          const info = kinds.find((k) => k.kind === gvk.kind);
          assert.ok(info, `${path}: ${gvk.kind}`);
          assert.deepEqual(gvk, { group, version, kind: info.kind });
          assert.ok(path.includes(`/${info.plural}/{name}`), path);
          assert.ok(item.patch.parameters.some((p: Doc) => p.name === 'fieldValidation' && p.in === 'query'), `${path} fieldValidation`);
          assert.deepEqual(Object.keys(item.patch.requestBody.content), [
            'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
          ]);
        }
        assert.ok(patches >= kinds.length, 'a PATCH per kind at least');
      });
    });
  }

  it('paths of a namespaced kind, a cluster-scoped kind and subresources', () => {
    const tekton = groupVersionDocument('tekton.dev', 'v1') as Doc;
    const base = '/apis/tekton.dev/v1';
    for (const p of [`${base}/namespaces/{namespace}/taskruns`, `${base}/namespaces/{namespace}/taskruns/{name}`, `${base}/taskruns`, `${base}/namespaces/{namespace}/taskruns/{name}/status`]) {
      assert.ok(tekton.paths[p], p);
    }
    assert.equal(tekton.paths[`${base}/taskruns`].get.operationId, 'listTaskRunv1ForAllNamespaces');
    assert.equal(tekton.paths[`${base}/namespaces/{namespace}/taskruns/{name}`].put['x-kubernetes-action'], 'put');
    const core = groupVersionDocument('', 'v1') as Doc;
    assert.ok(core.paths['/api/v1/namespaces/{name}/status']);
    assert.deepEqual(core.paths['/api/v1/namespaces/{name}'].parameters.map((p: Doc) => p.name), ['name']);
    assert.equal(core.paths['/api/v1/configmaps'].get.operationId, 'listConfigMapv1ForAllNamespaces');
    assert.equal(core.paths['/api/v1/namespaces/{namespace}/configmaps/{name}/status'], undefined);
  });

  it('the Pipeline schema stops where pipelines nest', () => {
    const pipeline = (groupVersionDocument('tekton.dev', 'v1') as Doc).components.schemas['dev.tekton.v1.Pipeline'];
    const task = pipeline.properties.spec.properties.tasks.items;
    assert.equal(task.properties.pipelineSpec['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal(task.properties.pipelineSpec.properties, undefined);
    const run = (groupVersionDocument('tekton.dev', 'v1') as Doc).components.schemas['dev.tekton.v1.PipelineRun'];
    assert.ok(run.properties.spec.properties.pipelineSpec.properties.tasks.items.properties.taskSpec);
  });

  it('v1beta1 schemas carry the legacy fields, v1 do not', () => {
    const spec = (group: string, version: string) => (groupVersionDocument(group, version) as Doc).components.schemas[`dev.tekton.${version}.TaskRun`].properties.spec.properties;
    assert.ok(spec('tekton.dev', 'v1beta1').stepOverrides);
    assert.equal(spec('tekton.dev', 'v1').stepOverrides, undefined);
    assert.ok(spec('tekton.dev', 'v1').stepSpecs);
  });

  it('undefined for what is not served', () => {
    assert.equal(groupVersionDocument('tekton.dev', 'v2'), undefined);
    assert.equal(groupVersionDocument('example.com', 'v1'), undefined);
  });
});

describe('descriptions for kubectl explain', () => {
  const tektonGroups = groupVersions().filter((gv) => gv.group === 'tekton.dev' || gv.group === 'triggers.tekton.dev');

  it('covers the Tekton and Triggers group versions', () => {
    assert.deepEqual(tektonGroups.map((gv) => `${gv.group}/${gv.version}`).sort(), [
      'tekton.dev/v1', 'tekton.dev/v1alpha1', 'tekton.dev/v1beta1', 'triggers.tekton.dev/v1alpha1', 'triggers.tekton.dev/v1beta1',
    ]);
  });

  for (const { group, version } of tektonGroups) {
    it(`every kind, list and field of ${group}/${version} has a description`, () => {
      const doc = groupVersionDocument(group, version) as Doc;
      const missing: string[] = [];
      for (const info of kindsIn(group, version)) {
        for (const name of [definitionName(info, version), definitionName(info, version, 'List')]) {
          const s = doc.components.schemas[name];
          if (!s.description?.trim()) missing.push(name);
          undescribed(s, name, missing);
        }
      }
      assert.deepEqual(missing, []);
    });
  }

  it('object metadata is described too', () => {
    const meta = (groupVersionDocument('tekton.dev', 'v1') as Doc).components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
    assert.deepEqual(undescribed(meta, 'ObjectMeta'), []);
    assert.match(meta.properties.generateName.description, /unique name/);
  });

  it('the walk reports what lacks a description, at its path', () => {
    const s = { type: 'object', properties: { a: { type: 'string', description: 'A.' }, b: { type: 'array', items: { type: 'object', properties: { c: { type: 'string', description: ' ' } } } } } };
    assert.deepEqual(undescribed(s, 'X'), ['X.b', 'X.b[].c']);
  });

  it('descriptions name what the field means where it is used', () => {
    const tekton = (groupVersionDocument('tekton.dev', 'v1') as Doc).components.schemas;
    const pipeline = tekton['dev.tekton.v1.Pipeline'];
    assert.match(pipeline.description, /^A Pipeline is a graph of Tasks/);
    const task = pipeline.properties.spec.properties.tasks.items.properties;
    assert.match(task.runAfter.description, /must finish before this one starts/);
    assert.match(pipeline.properties.spec.properties.finally.description, /once every other task has ended/);
    // an inline object inside a named one: described by its dotted path from there
    assert.match(task.workspaces.items.properties.workspace.description, /Pipeline workspace to bind/);
    const run = tekton['dev.tekton.v1.TaskRun'].properties.spec.properties;
    assert.match(run.params.description, /Task's parameters/);
    assert.match(run.debug.properties.breakpoints.properties.beforeSteps.description, /steps to pause before/);
    // the same structure described where it is embedded: a step inside a TaskRun's taskSpec
    assert.match(run.taskSpec.properties.steps.items.properties.onError.description, /stopAndFail/);
    // a type's note follows the field's own description
    assert.match(run.timeout.description, /^Longest time the TaskRun may run.* A Go duration, e\.g\. "1h30m"/);
    const el = (groupVersionDocument('triggers.tekton.dev', 'v1beta1') as Doc).components.schemas['dev.tekton.triggers.v1beta1.EventListener'];
    assert.match(el.properties.spec.properties.triggers.items.properties.template.properties.ref.description, /TriggerTemplate/);
  });

  it('legacy fields are described in the versions that carry them', () => {
    const spec = (groupVersionDocument('tekton.dev', 'v1beta1') as Doc).components.schemas['dev.tekton.v1beta1.PipelineRun'].properties.spec.properties;
    assert.match(spec.timeout.description, /timeouts\.pipeline/);
  });

  it('an object seen again inside itself keeps its description as a free-form object', () => {
    const spec = toOpenApi(NAMED_SCHEMAS.PipelineSpec, false) as Doc;
    const nested = spec.properties.tasks.items.properties.pipelineSpec;
    assert.equal(nested['x-kubernetes-preserve-unknown-fields'], true);
    assert.match(nested.description, /pipelines in pipelines/);
    assert.deepEqual(toOpenApi({ t: 'any' }, false), { 'x-kubernetes-preserve-unknown-fields': true }, 'the shared free-form schema is not changed');
  });
});

describe('openApiIndex and openApiDocumentText', () => {
  it('lists a document per group version, with a hash of its text', () => {
    const index = openApiIndex() as { paths: Record<string, { serverRelativeURL: string }> };
    assert.deepEqual(Object.keys(index.paths).sort(), [
      'api/v1', 'apis/apiextensions.k8s.io/v1', 'apis/apps/v1', 'apis/autoscaling/v2', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/networking.k8s.io/v1', 'apis/policy/v1',
      'apis/rbac.authorization.k8s.io/v1', 'apis/tekton.dev/v1', 'apis/tekton.dev/v1alpha1', 'apis/tekton.dev/v1beta1',
      'apis/triggers.tekton.dev/v1alpha1', 'apis/triggers.tekton.dev/v1beta1',
    ]);
    for (const [key, { serverRelativeURL }] of Object.entries(index.paths)) {
      const served = openApiDocumentText(key);
      assert.ok(served, key);
      assert.equal(serverRelativeURL, `/openapi/v3/${key}?hash=${served.hash}`);
      assert.equal(served.hash, createHash('sha512').update(served.text).digest('hex').toUpperCase());
      assert.match(served.hash, /^[0-9A-F]{128}$/);
      const [, group, version] = key.startsWith('apis/') ? key.split('/') : ['', '', key.split('/')[1]];
      assert.deepEqual(JSON.parse(served.text), groupVersionDocument(group, version));
    }
  });

  it('the hashes differ between documents and are stable', () => {
    const hashes = Object.values((openApiIndex() as { paths: Record<string, { serverRelativeURL: string }> }).paths).map((p) => p.serverRelativeURL.split('hash=')[1]);
    assert.equal(new Set(hashes).size, hashes.length);
    assert.deepEqual(openApiIndex(), openApiIndex());
  });

  it('undefined for an unknown key', () => {
    assert.equal(openApiDocumentText('apis/example.com/v1'), undefined);
    assert.equal(openApiDocumentText('api/v1/extra'), undefined);
  });
});
