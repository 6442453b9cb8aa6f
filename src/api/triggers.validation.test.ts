import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareObject } from './prepare.ts';
import { bindingValueTerminated } from './triggers.validation.ts';

const G = 'triggers.tekton.dev/v1beta1';
const RT = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { generateName: 'r-' }, spec: { pipelineRef: { name: 'p' } } };

/** `path: message` of every error of one object. */
function problems(obj: unknown): string[] {
  return prepareObject(obj, { strict: true }).errors.map((e) => `${e.path}: ${e.message}`);
}

const el = (spec: unknown, name = 'listener') => ({ apiVersion: G, kind: 'EventListener', metadata: { name }, spec });

test('EventListener validation: exact paths', async (t) => {
  const cases: Array<{ name: string; obj: unknown; want: string[] }> = [
    { name: 'valid: a trigger with a template ref', obj: el({ triggers: [{ name: 't', bindings: [{ ref: 'b' }], template: { ref: 'tt' } }] }), want: [] },
    { name: 'valid: a label selector alone', obj: el({ labelSelector: { matchLabels: { a: 'b' } } }), want: [] },
    { name: 'valid: namespaceSelector *', obj: el({ namespaceSelector: { matchNames: ['*'] } }), want: [] },
    {
      name: 'nothing to select triggers with',
      obj: el({ serviceAccountName: 'sa', namespaceSelector: { matchNames: [] } }),
      want: ['spec: expected exactly one, got neither: labelSelector, namespaceSelector, triggerGroups, triggers'],
    },
    {
      name: 'name longer than 60 characters',
      obj: el({ labelSelector: {} }, 'a'.repeat(61)),
      want: [`metadata.name: invalid value: eventListener name '${'a'.repeat(61)}' must be no more than 60 characters long`],
    },
    {
      name: 'every trigger error collected',
      obj: el({
        triggers: [
          { name: 'no template' },
          { triggerRef: 'tr', template: { ref: 'x' }, interceptors: [{ ref: { name: 'github' } }] },
          { name: 'bad name!', template: { ref: 'tt', spec: { resourcetemplates: [RT] } } },
          { template: { spec: { params: [{ name: 'a' }], resourcetemplates: [{ kind: 'X', data: '$(tt.params.b) $(tt.params.a)' }] } } },
          { template: { ref: '' }, bindings: [{ ref: 'b', name: 'n' }, { name: 'n' }, {}], interceptors: [{ params: [] }] },
          { template: { ref: 'tt', apiversion: 'v2' } },
        ],
      }),
      want: [
        'spec.triggers[0]: expected exactly one, got neither: template, triggerRef',
        "spec.triggers[0].name: invalid value: trigger name 'no template' must be a valid label value",
        'spec.triggers[1]: expected exactly one, got both: triggerRef, template, interceptors',
        'spec.triggers[2].template: expected exactly one, got both: spec, ref',
        "spec.triggers[2].name: invalid value: trigger name 'bad name!' must be a valid label value",
        'spec.triggers[3].template.spec.resourcetemplates[0].apiVersion: missing field(s)',
        "spec.triggers[3].template.spec.resourcetemplates[0]: invalid value: undeclared param '$(tt.params.b)': '$(tt.params.b)' must be declared in spec.triggers[3].template.spec.params",
        'spec.triggers[4].bindings[0]: expected exactly one, got both: ref, name',
        'spec.triggers[4].bindings[1].value: missing field(s)',
        'spec.triggers[4].bindings[2]: expected exactly one, got neither: ref, name',
        'spec.triggers[4].template.ref: missing field(s)',
        'spec.triggers[4].interceptors[0].ref.name: missing field(s)',
        'spec.triggers[5].template.apiversion: invalid value: v2: expected v1alpha1 or v1beta1',
      ],
    },
    {
      name: 'trigger groups need a selector and interceptors',
      obj: el({ triggerGroups: [{ name: 'g' }, { triggerSelector: { labelSelector: { matchLabels: { a: 'b' } } }, interceptors: [{ ref: { name: 'cel' } }] }] }),
      want: [
        'spec.triggerGroups[0].triggerSelector: expected exactly one, got neither: labelSelector, namespaceSelector',
        'spec.triggerGroups[0].interceptors: missing field(s)',
      ],
    },
    {
      name: 'resources: kubernetesResource and customResource exclusive',
      obj: el({ labelSelector: {}, resources: { kubernetesResource: {}, customResource: {} } }),
      want: ['spec.resources: expected exactly one, got both: kubernetesResource, customResource'],
    },
    {
      name: 'legacy webhook interceptor checks',
      obj: el({ triggers: [{ template: { ref: 'tt' }, interceptors: [{ webhook: { objectRef: { kind: 'Pod' }, header: [{ name: 'x-lower', value: '' }] } }] }] }),
      want: [
        'spec.triggers[0].interceptors[0].webhook.objectRef.kind: invalid value: Pod: expected Service',
        'spec.triggers[0].interceptors[0].webhook.objectRef.apiVersion: missing field(s)',
        'spec.triggers[0].interceptors[0].webhook.header[0].name: invalid value: x-lower: invalid header name (expected a non-empty canonical name, e.g. X-Custom-Header)',
        'spec.triggers[0].interceptors[0].webhook.header[0].value: invalid value: : invalid header value (must not be empty)',
      ],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.obj), c.want));
});

test('Trigger, TriggerBinding, TriggerTemplate, ClusterInterceptor validation: exact paths', async (t) => {
  const cases: Array<{ name: string; obj: unknown; want: string[] }> = [
    { name: 'Trigger valid', obj: { apiVersion: G, kind: 'Trigger', metadata: { name: 't' }, spec: { template: { ref: 'tt' } } }, want: [] },
    {
      name: 'Trigger: template required (a dotted name is only a warning, see core.validation.test.ts)',
      obj: { apiVersion: G, kind: 'Trigger', metadata: { name: 'a.b' }, spec: { bindings: [{ ref: 'x', kind: 'Nope' }] } },
      want: [
        'spec.bindings[0].kind: invalid value: Nope: expected TriggerBinding or ClusterTriggerBinding',
        'spec.template: expected exactly one, got neither: spec, ref',
      ],
    },
    {
      name: 'TriggerBinding: name and value, duplicates, unterminated $(',
      obj: {
        apiVersion: G, kind: 'TriggerBinding', metadata: { name: 'b' },
        spec: { params: [{ name: 'a', value: '$(body.a)' }, { name: 'a', value: 'x' }, { value: 'y' }, { name: 'c' }, { name: 'd', value: '$(body.a $(body.b)' }] },
      },
      want: [
        'spec.params[1].name: duplicate param name "a"',
        'spec.params[2].name: missing field(s)',
        'spec.params[3].value: missing field(s)',
        'spec.params[4].value: invalid value: $(body.a $(body.b): an expression "$(" is not closed before the next one',
      ],
    },
    { name: 'TriggerBinding: empty spec', obj: { apiVersion: G, kind: 'TriggerBinding', metadata: { name: 'b' }, spec: {} }, want: ['spec: missing field(s)'] },
    { name: 'ClusterTriggerBinding: same rules', obj: { apiVersion: G, kind: 'ClusterTriggerBinding', metadata: { name: 'b' }, spec: { params: [{ name: 'x' }] } }, want: ['spec.params[0].value: missing field(s)'] },
    {
      name: 'TriggerTemplate: apiVersion and kind, declared params',
      obj: {
        apiVersion: G, kind: 'TriggerTemplate', metadata: { name: 'tt' },
        spec: { params: [{ name: 'rev' }], resourcetemplates: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { a: '$(tt.params.rev)', b: '$(tt.params.nope)', c: '$(tt.params.nope)' } }, {}, 'str'] },
      },
      want: [
        "spec.resourcetemplates[0]: invalid value: undeclared param '$(tt.params.nope)': '$(tt.params.nope)' must be declared in spec.params",
        'spec.resourcetemplates[1].apiVersion: missing field(s)',
        'spec.resourcetemplates[1].kind: missing field(s)',
        'spec.resourcetemplates[2]: invalid value: str: a resource template must be an object with apiVersion and kind',
      ],
    },
    {
      name: 'TriggerTemplate: empty spec',
      obj: { apiVersion: G, kind: 'TriggerTemplate', metadata: { name: 'tt' }, spec: {} },
      want: ['spec: missing field(s)', 'spec.resourcetemplates: missing field(s)'],
    },
    {
      name: 'ClusterInterceptor: url xor service; service name and namespace',
      obj: { apiVersion: 'triggers.tekton.dev/v1alpha1', kind: 'ClusterInterceptor', metadata: { name: 'ci' }, spec: { clientConfig: { url: 'http://x', service: { path: '/' } } } },
      want: [
        'spec.clientConfig: expected exactly one, got both: url, service',
        'spec.clientConfig.service.namespace: missing field(s)',
        'spec.clientConfig.service.name: missing field(s)',
      ],
    },
    {
      name: 'Interceptor is v1alpha1 only',
      obj: { apiVersion: G, kind: 'Interceptor', metadata: { name: 'i' }, spec: {} },
      want: ['apiVersion: unsupported apiVersion "triggers.tekton.dev/v1beta1" for kind Interceptor (expected triggers.tekton.dev/v1alpha1)'],
    },
    {
      name: 'Event: metadata only, fields known',
      obj: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'el.17a', namespace: 'd' }, involvedObject: { kind: 'EventListener', name: 'el' }, reason: 'Started', type: 'Normal', count: 1, eventTime: null },
      want: [],
    },
    {
      name: 'unknown field in a trigger interceptor is named (strict)',
      obj: { apiVersion: G, kind: 'Trigger', metadata: { name: 't' }, spec: { template: { ref: 'tt' }, interceptors: [{ ref: { name: 'cel' }, github: {} }] } },
      want: ['spec.interceptors[0].github: unknown field "github" (it is a triggers.tekton.dev/v1alpha1 field, not part of triggers.tekton.dev/v1beta1)'],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.obj), c.want));
});

test('bindingValueTerminated follows Tekton (the last $( is not checked)', async (t) => {
  const cases: Array<[string, boolean]> = [['plain', true], ['$(a)', true], ['$(a', true], ['$(a $(b)', false], ['$(f(x)) $(b)', true], ['$(a) $(b', true]];
  for (const [v, want] of cases) await t.test(v, () => assert.equal(bindingValueTerminated(v), want));
});
