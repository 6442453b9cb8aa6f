import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareObject } from './prepare.ts';

const prepared = (obj: unknown) => {
  const r = prepareObject(obj, { strict: true });
  assert.deepEqual(r.errors, []);
  return r.object as unknown as { apiVersion: string; spec: unknown };
};

test('Triggers defaults', async (t) => {
  const cases: Array<{ name: string; obj: unknown; want: unknown }> = [
    {
      name: 'EventListener: binding ref kind, interceptor ref kind (triggers and groups), replicas 0 → 1',
      obj: {
        apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'el' },
        spec: {
          triggers: [{ bindings: [{ ref: 'b' }, { name: 'p', value: 'v' }, { ref: 'c', kind: 'ClusterTriggerBinding' }], template: { ref: 'tt' }, interceptors: [{ ref: { name: 'github' } }] }],
          triggerGroups: [{ interceptors: [{ ref: { name: 'cel', kind: 'NamespacedInterceptor' } }], triggerSelector: { labelSelector: {} } }],
          resources: { kubernetesResource: { replicas: 0 } },
        },
      },
      want: {
        triggers: [{
          bindings: [{ ref: 'b', kind: 'TriggerBinding' }, { name: 'p', value: 'v' }, { ref: 'c', kind: 'ClusterTriggerBinding' }],
          template: { ref: 'tt' }, interceptors: [{ ref: { name: 'github', kind: 'ClusterInterceptor' } }],
        }],
        triggerGroups: [{ interceptors: [{ ref: { name: 'cel', kind: 'NamespacedInterceptor' } }], triggerSelector: { labelSelector: {} } }],
        resources: { kubernetesResource: { replicas: 1 } },
      },
    },
    {
      name: 'Trigger: kinds defaulted, spelled case-insensitively',
      obj: { apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'Trigger', metadata: { name: 't' }, spec: { Bindings: [{ ref: 'b', kind: 'clustertriggerbinding' }], template: { ref: 'tt', apiVersion: 'v1beta1' } } },
      want: { bindings: [{ ref: 'b', kind: 'ClusterTriggerBinding' }], template: { ref: 'tt', apiversion: 'v1beta1' } },
    },
    {
      name: 'ClusterInterceptor: service port 80',
      obj: { apiVersion: 'triggers.tekton.dev/v1alpha1', kind: 'ClusterInterceptor', metadata: { name: 'github' }, spec: { clientConfig: { service: { name: 's', namespace: 'n' } } } },
      want: { clientConfig: { service: { name: 's', namespace: 'n', port: 80 } } },
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(prepared(c.obj).spec, c.want));
});

test('triggers.tekton.dev/v1alpha1 is stored as v1beta1; Interceptor kinds stay v1alpha1', async (t) => {
  const cases: Array<{ kind: string; spec: unknown; want: string }> = [
    { kind: 'EventListener', spec: { labelSelector: {} }, want: 'triggers.tekton.dev/v1beta1' },
    { kind: 'Trigger', spec: { template: { ref: 'tt' } }, want: 'triggers.tekton.dev/v1beta1' },
    { kind: 'TriggerBinding', spec: { params: [{ name: 'a', value: 'b' }] }, want: 'triggers.tekton.dev/v1beta1' },
    { kind: 'ClusterTriggerBinding', spec: { params: [{ name: 'a', value: 'b' }] }, want: 'triggers.tekton.dev/v1beta1' },
    { kind: 'TriggerTemplate', spec: { resourcetemplates: [{ apiVersion: 'v1', kind: 'ConfigMap' }] }, want: 'triggers.tekton.dev/v1beta1' },
    { kind: 'ClusterInterceptor', spec: {}, want: 'triggers.tekton.dev/v1alpha1' },
    { kind: 'Interceptor', spec: {}, want: 'triggers.tekton.dev/v1alpha1' },
  ];
  for (const c of cases) {
    await t.test(c.kind, () => {
      const obj = { apiVersion: 'triggers.tekton.dev/v1alpha1', kind: c.kind, metadata: { name: 'x' }, spec: c.spec };
      assert.equal(prepared(obj).apiVersion, c.want);
    });
  }
});
