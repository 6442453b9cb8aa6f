import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from './errors.ts';
import type { FieldError } from './errors.ts';
import { loadManifests, splitPath } from './load.ts';
import type { TaskRun } from './taskrun.types.ts';
import type { Task } from './task.types.ts';

/** `line:col path: message` of each problem, for exact comparison. */
function where(list: FieldError[]): string[] {
  return list.map((e) => `${e.line}:${e.col} ${e.path}: ${e.message}`);
}

const TASK = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: hello
spec:
  steps:
    - name: say
      image: alpine
      script: echo hi
`;

test('loadManifests: documents, kinds, positions', async (t) => {
  const cases: Array<{ name: string; yaml: string; kinds: string[]; lines: number[] }> = [
    { name: 'one Task', yaml: TASK, kinds: ['Task'], lines: [1] },
    {
      name: 'multi-doc file with 3 objects and empty documents skipped',
      yaml: `---\n${TASK}---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n---\n# only a comment\n---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: run}\nspec:\n  taskRef: {name: hello}\n`,
      kinds: ['Task', 'ConfigMap', 'TaskRun'],
      lines: [2, 13, 20],
    },
    {
      name: 'kind: List items expanded',
      yaml: `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ServiceAccount\n    metadata: {name: sa}\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: ns}\n`,
      kinds: ['ServiceAccount', 'Namespace'],
      lines: [4, 7],
    },
    {
      name: 'kind matched case-insensitively and respelled',
      yaml: `apiVersion: v1\nkind: configmap\nmetadata: {name: cm}\n`,
      kinds: ['ConfigMap'],
      lines: [1],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const r = loadManifests(c.yaml, 'f.yaml');
      assert.deepEqual(where([...r.errors, ...r.warnings]), []);
      assert.deepEqual(r.objects.map((o) => o.object.kind), c.kinds);
      assert.deepEqual(r.objects.map((o) => o.line), c.lines);
      assert.ok(r.objects.every((o) => o.file === 'f.yaml'));
    });
  }
});

test('loadManifests: problems carry file, line, col and path', async (t) => {
  const cases: Array<{ name: string; yaml: string; strict?: boolean; errors: string[]; warnings?: string[] }> = [
    {
      name: 'broken YAML reports line:col',
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "open\n',
      errors: ['5:1 : YAML: Missing closing "quote'],
    },
    {
      name: 'a bad document does not hide the good ones',
      yaml: `a: b\n  c: d\n---\n${TASK}`,
      errors: ['1:4 : YAML: Nested mappings are not allowed in compact mappings', '1:4 : YAML: Implicit keys need to be on a single line'],
    },
    {
      name: 'duplicate keys',
      yaml: 'apiVersion: v1\nkind: ConfigMap\nkind: ConfigMap\n',
      errors: ['3:1 : YAML: Map keys must be unique'],
    },
    {
      name: 'not a mapping',
      yaml: '- a\n- b\n',
      errors: ['1:1 : expected a Kubernetes object (a mapping), got list'],
    },
    {
      name: 'missing apiVersion and kind',
      yaml: 'metadata: {name: x}\n',
      errors: ['1:1 apiVersion: missing field(s)', '1:1 kind: missing field(s)'],
    },
    {
      name: 'unknown kind is named',
      yaml: 'apiVersion: tekton.dev/v1\nkind: Widget\nmetadata: {name: w}\n',
      errors: [`2:1 kind: unknown kind "Widget" (kiln knows Task, TaskRun, Pipeline, PipelineRun, StepAction, ConfigMap, Secret, PersistentVolumeClaim, ServiceAccount, Namespace, Event, EventListener, Trigger, TriggerBinding, ClusterTriggerBinding, TriggerTemplate, Interceptor, ClusterInterceptor)`],
    },
    {
      name: 'unsupported apiVersion for a known kind',
      yaml: 'apiVersion: tekton.dev/v2\nkind: Task\nmetadata: {name: t}\nspec: {steps: [{image: a}]}\n',
      errors: ['1:1 apiVersion: unsupported apiVersion "tekton.dev/v2" for kind Task (expected tekton.dev/v1 or tekton.dev/v1beta1)'],
    },
    {
      name: 'missing metadata.name',
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n',
      errors: ['3:1 metadata.name: missing field(s): name or generateName is required'],
    },
    {
      name: 'missing steps: path spec.steps at the spec line',
      yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  description: nothing\n',
      errors: ['4:1 spec.steps: missing field(s)'],
    },
    {
      name: 'two errors in one document are both reported',
      yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - name: a\n      script: echo\n    - name: Bad\n      image: alpine\n',
      errors: [
        '6:7 spec.steps[0].image: missing field(s)',
        "8:7 spec.steps[1].name: invalid value: Bad: a step name must be a DNS label (lower case alphanumerics and '-', at most 63 characters)",
      ],
    },
    {
      name: 'scirpt: a warning with a suggestion',
      yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - image: alpine\n      scirpt: echo\n',
      errors: [],
      warnings: ['7:7 spec.steps[0].scirpt: unknown field "scirpt"; did you mean "script"?'],
    },
    {
      name: 'scirpt: an error under strict',
      yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - image: alpine\n      scirpt: echo\n',
      strict: true,
      errors: ['7:7 spec.steps[0].scirpt: unknown field "scirpt"; did you mean "script"?'],
    },
    {
      name: 'a v1beta1-only field in a v1 object says so',
      yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - image: alpine\n      resources: {}\n',
      errors: [],
      warnings: ['7:7 spec.steps[0].resources: unknown field "resources" (it is a tekton.dev/v1beta1 field, not part of tekton.dev/v1)'],
    },
    {
      name: 'no warnings inside free-form maps',
      yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  name: r\n  labels: {anyThing: x}\nspec:\n  podTemplate: {whatever: 1, nodeSelector: {a: b}}\n  taskSpec:\n    params: [{name: p, default: {k: v}, properties: {k: {}}}]\n    steps:\n      - image: a\n        securityContext: {runAsUser: 0, madeUp: true}\n        computeResources: {requests: {cpu: 1}}\n  workspaces:\n    - name: w\n      volumeClaimTemplate: {spec: {accessModes: [x], anything: 1}}\nstatus: {anything: at all}\n',
      errors: [],
      warnings: [],
    },
    {
      name: 'wrong type is an error at the field, reported once',
      yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps: hello\n',
      errors: ['5:3 spec.steps: invalid type: expected list, got string'],
    },
    {
      name: 'errors are sorted by position across documents',
      yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  retries: -1\n  timeout: 1x\n',
      errors: [
        '4:1 spec: expected exactly one, got neither: taskRef, taskSpec',
        '5:3 spec.retries: invalid value: -1 should be >= 0',
        '6:3 spec.timeout: invalid value: 1x: not a valid duration (e.g. "1h30m", "10s", "500ms", "0")',
      ],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const r = loadManifests(c.yaml, 'f.yaml', { strict: c.strict });
      assert.deepEqual(where(r.errors), c.errors);
      if (c.warnings) assert.deepEqual(where(r.warnings), c.warnings);
      for (const e of [...r.errors, ...r.warnings]) {
        assert.equal(e.file, 'f.yaml');
        assert.ok(e.line && e.col, `no position: ${formatFieldError(e)}`);
      }
    });
  }
});

test('loadManifests: field names normalised like encoding/json', () => {
  const r = loadManifests(`apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: r}
spec:
  taskSpec:
    workspaces: [{name: w}]
    steps:
      - image: alpine
        Script: echo hi
        workspaces:
          - name: w
            mountpath: /custom
`, 'f.yaml');
  assert.deepEqual(where([...r.errors, ...r.warnings]), []);
  const step = (r.objects[0].object as TaskRun).spec.taskSpec!.steps[0];
  assert.equal(step.script, 'echo hi');
  assert.deepEqual(step.workspaces, [{ name: 'w', mountPath: '/custom' }]);
});

test('loadManifests: taskRef kind value normalised (kind: task)', () => {
  const r = loadManifests(`apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: r}
spec:
  taskRef: {name: t, kind: task}
`, 'f.yaml');
  assert.deepEqual(where(r.errors), []);
  assert.equal((r.objects[0].object as TaskRun).spec.taskRef!.kind, 'Task');
});

test('loadManifests: a v1beta1 TaskRun is converted to v1 and defaulted', () => {
  const r = loadManifests(`apiVersion: tekton.dev/v1beta1
kind: TaskRun
metadata: {name: r}
spec:
  stepOverrides:
    - name: s
      resources: {limits: {memory: 1Gi}}
  taskSpec:
    steps:
      - name: s
        image: alpine
        resources: {requests: {cpu: "1"}}
`, 'f.yaml');
  assert.deepEqual(where([...r.errors, ...r.warnings]), []);
  const tr = r.objects[0].object as TaskRun;
  assert.equal(tr.apiVersion, 'tekton.dev/v1');
  assert.deepEqual(tr.spec.stepSpecs, [{ name: 's', computeResources: { limits: { memory: '1Gi' } } }]);
  assert.deepEqual(tr.spec.taskSpec!.steps[0].computeResources, { requests: { cpu: '1' } });
  assert.equal(tr.spec.timeout, '60m');
  assert.equal(tr.spec.serviceAccountName, 'default');
  // v1 paths still find their v1beta1 source
  assert.deepEqual(r.objects[0].locate('spec.stepSpecs[0].computeResources'), { line: 7, col: 7 });
});

test('LoadedObject.locate: exact key, nearest ancestor, case-insensitive keys', async (t) => {
  const [obj] = loadManifests(TASK, 'f.yaml').objects;
  const cases = [
    { name: 'a key', path: 'spec.steps[0].image', want: { line: 8, col: 7 } },
    { name: 'a list item', path: 'spec.steps[0]', want: { line: 7, col: 7 } },
    { name: 'missing field → parent key', path: 'spec.steps[0].timeout', want: { line: 7, col: 7 } },
    { name: 'missing index → list key', path: 'spec.steps[4].image', want: { line: 6, col: 3 } },
    { name: 'root', path: '', want: { line: 1, col: 1 } },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(obj.locate(c.path), c.want));
  assert.equal((obj.object as Task).spec.steps[0].name, 'say');
});

test('LoadedObject.locate: keys containing dots', () => {
  const [cm] = loadManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    tekton.dev/pipeline: p\ndata:\n  a: x\n  settings.yaml: y\n', 'f.yaml').objects;
  assert.deepEqual(cm.locate('data.settings.yaml'), { line: 9, col: 3 });
  assert.deepEqual(cm.locate('metadata.labels.tekton.dev/pipeline'), { line: 6, col: 5 });
});

test('splitPath', () => {
  assert.deepEqual(splitPath('spec.steps[1].image'), ['spec', 'steps', 1, 'image']);
  assert.deepEqual(splitPath(''), []);
});

test('loadManifests never throws on odd input', () => {
  for (const text of ['', '---', '\t\t', '{', '[', '*a', '!!binary x', 'a: &x [*x]', '%YAML 9.9\n---\n']) {
    const r = loadManifests(text, 'f.yaml');
    assert.ok(Array.isArray(r.objects));
  }
});

test('loadManifests: a file of 600,000 comment and blank lines loads, and problems after them name their own line', () => {
  const comments = '# a comment line\n\n  # an indented one\n'.repeat(100_000);
  const text = `apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n${comments}  name: hello\nspec:\n${comments}  steps:\n    - name: say\n      image: alpine\n      bogus: 1\n`;
  const r = loadManifests(text, 'f.yaml');
  assert.deepEqual(where(r.errors), []);
  assert.deepEqual(where(r.warnings), ['600009:7 spec.steps[0].bogus: unknown field "bogus"']);
  assert.deepEqual(r.objects.map((o) => [o.object.metadata.name, o.line]), [['hello', 1]]);
  assert.deepEqual(r.objects[0].locate('spec'), { line: 300005, col: 1 });
});
