import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KindRegistry } from '../api/generic/kinds.ts';
import { KINDS, findKind } from '../api/registry.ts';
import { HttpError } from './errors.ts';
import { apiVersionOf, groupVersions, kindsIn, resolveResource, segmentsOf, storageVersion, subresourcesOf } from './paths.ts';

/** kiln's own kinds alone (the served set adds generic kinds and CRDs' kinds). */
const OWN = new KindRegistry(KINDS);

describe('resolveResource', () => {
  const cases: Array<{
    name: string; group: string; version: string; path: string;
    want: { kind: string; version: string; namespace?: string; name?: string; subresource?: string };
  }> = [
    { name: 'a namespaced collection', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/taskruns', want: { kind: 'TaskRun', version: 'v1', namespace: 'ns' } },
    { name: 'a namespaced object', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/tasks/build', want: { kind: 'Task', version: 'v1', namespace: 'ns', name: 'build' } },
    { name: 'a status subresource', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/pipelineruns/r/status', want: { kind: 'PipelineRun', version: 'v1', namespace: 'ns', name: 'r', subresource: 'status' } },
    { name: 'TaskRun logs', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/taskruns/r/log', want: { kind: 'TaskRun', version: 'v1', namespace: 'ns', name: 'r', subresource: 'log' } },
    { name: 'a list across namespaces', group: 'tekton.dev', version: 'v1beta1', path: 'pipelines', want: { kind: 'Pipeline', version: 'v1beta1' } },
    { name: 'StepAction under v1alpha1', group: 'tekton.dev', version: 'v1alpha1', path: 'namespaces/ns/stepactions/s', want: { kind: 'StepAction', version: 'v1alpha1', namespace: 'ns', name: 's' } },
    { name: 'a core kind', group: '', version: 'v1', path: 'namespaces/default/configmaps/cm', want: { kind: 'ConfigMap', version: 'v1', namespace: 'default', name: 'cm' } },
    { name: 'a PVC status', group: '', version: 'v1', path: 'namespaces/default/persistentvolumeclaims/c/status', want: { kind: 'PersistentVolumeClaim', version: 'v1', namespace: 'default', name: 'c', subresource: 'status' } },
    { name: 'the Namespace collection', group: '', version: 'v1', path: 'namespaces', want: { kind: 'Namespace', version: 'v1' } },
    { name: 'a Namespace (cluster-scoped: no namespace)', group: '', version: 'v1', path: 'namespaces/dev', want: { kind: 'Namespace', version: 'v1', name: 'dev' } },
    { name: 'a Namespace status', group: '', version: 'v1', path: 'namespaces/dev/status', want: { kind: 'Namespace', version: 'v1', name: 'dev', subresource: 'status' } },
    { name: 'a Namespace named like a plural', group: '', version: 'v1', path: 'namespaces/secrets', want: { kind: 'Namespace', version: 'v1', name: 'secrets' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = resolveResource(c.group, c.version, segmentsOf(c.path));
      assert.deepEqual(
        { kind: t.info.kind, version: t.version, namespace: t.namespace, name: t.name, subresource: t.subresource },
        { namespace: undefined, name: undefined, subresource: undefined, ...c.want },
      );
      assert.equal(t.info, findKind(c.want.kind), 'the registry entry itself');
    });
  }

  const notFound: Array<{ name: string; group: string; version: string; path: string }> = [
    { name: 'an unknown group', group: 'example.com', version: 'v1', path: 'namespaces/ns/things' },
    { name: 'an unknown version', group: 'tekton.dev', version: 'v2', path: 'namespaces/ns/tasks' },
    { name: 'a kind not served in the version (StepAction under v1)', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/stepactions/s' },
    { name: 'a kind of another group', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/configmaps' },
    { name: 'an unknown plural', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/widgets' },
    { name: 'nothing after the version', group: 'tekton.dev', version: 'v1', path: '' },
    { name: 'a named namespaced object without its namespace', group: 'tekton.dev', version: 'v1', path: 'tasks/build' },
    { name: 'an unknown subresource', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/tasks/build/scale' },
    { name: 'log of a kind that has none', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/pipelineruns/r/log' },
    { name: 'a subresource of a kind that has none', group: '', version: 'v1', path: 'namespaces/ns/configmaps/cm/status' },
    { name: 'too many segments', group: 'tekton.dev', version: 'v1', path: 'namespaces/ns/taskruns/r/log/more' },
    { name: 'a cluster-scoped kind inside a namespace', group: '', version: 'v1', path: 'namespaces/ns/namespaces/x' },
    { name: 'an unknown Namespace subresource', group: '', version: 'v1', path: 'namespaces/dev/finalize' },
    { name: 'too many segments under a Namespace', group: '', version: 'v1', path: 'namespaces/dev/status/x' },
  ];
  for (const c of notFound) {
    it(`404: ${c.name}`, () => {
      assert.throws(() => resolveResource(c.group, c.version, segmentsOf(c.path)), (e: unknown) => {
        assert.ok(e instanceof HttpError);
        assert.equal(e.reason, 'NotFound');
        assert.equal(e.code, 404);
        assert.equal(e.message, 'the server could not find the requested resource');
        return true;
      });
    });
  }
});

describe('segmentsOf', () => {
  const cases = [
    { name: 'drops empty segments', path: '//a//b/', want: ['a', 'b'] },
    { name: 'decodes', path: '/a%20b/c%2Fd', want: ['a b', 'c/d'] },
    { name: 'keeps a malformed escape as it is', path: '/a%zz/b', want: ['a%zz', 'b'] },
    { name: 'root', path: '/', want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(segmentsOf(c.path), c.want));
});

describe('kinds and versions', () => {
  it('subresourcesOf', () => {
    const cases = [
      { kind: 'TaskRun', want: ['status', 'log'] },
      { kind: 'PipelineRun', want: ['status'] },
      { kind: 'Task', want: ['status'] },
      { kind: 'Namespace', want: ['status'] },
      { kind: 'PersistentVolumeClaim', want: ['status'] },
      { kind: 'ConfigMap', want: [] },
      { kind: 'Secret', want: [] },
    ];
    for (const c of cases) assert.deepEqual(subresourcesOf(findKind(c.kind)!), c.want, c.kind);
  });

  it('kindsIn', () => {
    assert.deepEqual(kindsIn('tekton.dev', 'v1', OWN).map((k) => k.kind), ['Task', 'TaskRun', 'Pipeline', 'PipelineRun']);
    assert.deepEqual(kindsIn('tekton.dev', 'v1beta1', OWN).map((k) => k.kind), ['Task', 'TaskRun', 'Pipeline', 'PipelineRun', 'StepAction']);
    assert.deepEqual(kindsIn('tekton.dev', 'v1alpha1', OWN).map((k) => k.kind), ['StepAction']);
    assert.deepEqual(kindsIn('', 'v1', OWN).map((k) => k.kind), ['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ServiceAccount', 'Namespace', 'Event']);
    assert.deepEqual(kindsIn('triggers.tekton.dev', 'v1beta1', OWN).map((k) => k.kind), ['EventListener', 'Trigger', 'TriggerBinding', 'ClusterTriggerBinding', 'TriggerTemplate']);
    assert.deepEqual(kindsIn('triggers.tekton.dev', 'v1alpha1', OWN).map((k) => k.kind), [
      'EventListener', 'Trigger', 'TriggerBinding', 'ClusterTriggerBinding', 'TriggerTemplate', 'Interceptor', 'ClusterInterceptor',
    ]);
    assert.deepEqual(kindsIn('tekton.dev', 'v2', OWN), []);
  });

  it('groupVersions lists each once', () => {
    assert.deepEqual(groupVersions(OWN), [
      { group: 'tekton.dev', version: 'v1' },
      { group: 'tekton.dev', version: 'v1beta1' },
      { group: 'tekton.dev', version: 'v1alpha1' },
      { group: '', version: 'v1' },
      { group: 'triggers.tekton.dev', version: 'v1beta1' },
      { group: 'triggers.tekton.dev', version: 'v1alpha1' },
    ]);
  });

  it('apiVersionOf and storageVersion', () => {
    assert.equal(apiVersionOf('tekton.dev', 'v1'), 'tekton.dev/v1');
    assert.equal(apiVersionOf('', 'v1'), 'v1');
    assert.equal(storageVersion(findKind('Task')!), 'v1');
    assert.equal(storageVersion(findKind('StepAction')!), 'v1beta1');
    for (const k of KINDS) assert.ok(k.versions.includes(storageVersion(k)), k.kind);
  });
});
