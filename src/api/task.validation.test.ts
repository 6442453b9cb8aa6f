import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';
import { validateTaskSpec } from './task.validation.ts';

/** A Task whose spec body starts at line 5. */
function task(body: string): string {
  return `apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n${body}`;
}

function problems(yaml: string): string[] {
  return loadManifests(yaml, 'f.yaml').errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
}

test('Task validation: exact paths and lines', async (t) => {
  const cases: Array<{ name: string; yaml: string; want: string[] }> = [
    {
      name: 'a valid Task',
      yaml: task('  params: [{name: who, default: world}]\n  results: [{name: out}]\n  steps:\n    - name: hi\n      image: alpine\n      script: echo $(params.who) > $(results.out.path)\n'),
      want: [],
    },
    {
      name: 'missing steps',
      yaml: task('  description: x\n'),
      want: ['4 spec.steps: missing field(s)'],
    },
    {
      name: 'image may come from stepTemplate',
      yaml: task('  stepTemplate: {image: alpine}\n  steps:\n    - script: echo\n'),
      want: [],
    },
    {
      name: 'image required without ref or stepTemplate.image',
      yaml: task('  steps:\n    - name: a\n      script: echo\n'),
      want: ['6 spec.steps[0].image: missing field(s)'],
    },
    {
      name: 'script and command together',
      yaml: task('  steps:\n    - image: a\n      command: [sh]\n      script: echo\n'),
      want: ['8 spec.steps[0].script: script cannot be used with command'],
    },
    {
      name: 'step names: DNS labels, unique',
      yaml: task('  steps:\n    - {name: Build_It, image: a}\n    - {name: x, image: a}\n    - {name: x, image: a}\n'),
      want: [
        "6 spec.steps[0].name: invalid value: Build_It: a step name must be a DNS label (lower case alphanumerics and '-', at most 63 characters)",
        '8 spec.steps[2].name: invalid value: x: step names must be unique',
      ],
    },
    {
      name: 'timeouts: negative and unparsable rejected',
      yaml: task('  steps:\n    - {image: a, timeout: -1s}\n    - {image: a, timeout: 5 minutes}\n    - {image: a, timeout: 1h30m}\n'),
      want: [
        '6 spec.steps[0].timeout: invalid value: -1s should be >= 0',
        '7 spec.steps[1].timeout: invalid value: 5 minutes: not a valid duration (e.g. "1h30m", "10s", "500ms", "0")',
      ],
    },
    {
      name: 'volumeMounts under /tekton/ rejected except /tekton/home',
      yaml: task('  steps:\n    - image: a\n      volumeMounts:\n        - {name: ok, mountPath: /tekton/home/x}\n        - {name: bad, mountPath: /tekton/results}\n        - {name: tekton-internal-x, mountPath: /data}\n'),
      want: [
        '9 spec.steps[0].volumeMounts[1].mountPath: volumeMount cannot be mounted under /tekton/ (volumeMount "bad" mounted at "/tekton/results")',
        '10 spec.steps[0].volumeMounts[2].name: volumeMount name "tekton-internal-x" cannot start with "tekton-internal-"',
      ],
    },
    {
      name: 'a volumeMount names its volume and mount path (steps, sidecars, stepTemplate)',
      yaml: task(
        '  stepTemplate:\n    volumeMounts:\n      - {mountPath: /tpl}\n' +
        '  steps:\n    - image: a\n      volumeMounts:\n        - {mountPath: /data}\n        - {name: "", mountPath: /x}\n        - {name: v}\n' +
        '  sidecars:\n    - image: a\n      volumeMounts:\n        - {mountPath: /side}\n',
      ),
      want: [
        '7 spec.stepTemplate.volumeMounts[0].name: missing field(s)',
        '11 spec.steps[0].volumeMounts[0].name: missing field(s)',
        '12 spec.steps[0].volumeMounts[1].name: missing field(s)',
        '13 spec.steps[0].volumeMounts[2].mountPath: missing field(s)',
        '17 spec.sidecars[0].volumeMounts[0].name: missing field(s)',
      ],
    },
    {
      name: 'onError values',
      yaml: task('  params: [{name: mode}]\n  steps:\n    - {image: a, onError: continue}\n    - {image: a, onError: stopAndFail}\n    - {image: a, onError: $(params.mode)}\n    - {image: a, onError: ignore}\n'),
      want: ['10 spec.steps[3].onError: invalid value: "ignore": Task step onError must be either "continue" or "stopAndFail"'],
    },
    {
      name: 'ref exclusivity',
      yaml: task('  steps:\n    - ref: {name: act}\n      image: a\n      script: echo\n      env: [{name: A, value: b}]\n    - image: a\n      params: [{name: p, value: v}]\n    - ref: {name: act, resolver: git}\n    - ref: {params: [{name: url, value: x}]}\n    - ref: {}\n'),
      want: [
        '7 spec.steps[0].image: image cannot be used with Ref',
        '8 spec.steps[0].script: script cannot be used with Ref',
        '9 spec.steps[0].env: env cannot be used with Ref',
        '11 spec.steps[1].params: params cannot be used without Ref',
        '12 spec.steps[2].ref: expected exactly one, got both: name, resolver',
        '13 spec.steps[3].ref.resolver: missing field(s)',
        '14 spec.steps[4].ref.name: missing field(s)',
      ],
    },
    {
      name: 'params: names, uniqueness, types, defaults, properties, enum',
      yaml: task([
        '  params:',
        '    - {name: 1st}',
        '    - {name: dup}',
        '    - {name: DUP}',
        '    - {name: list, type: array, default: one}',
        '    - {name: obj, type: object}',
        '    - {name: weird, type: number}',
        '    - {name: color, enum: [red, blue], default: green}',
        '    - {name: obj2, properties: {a.b: {type: string}}}',
        '  steps: [{image: a}]',
        '',
      ].join('\n')),
      want: [
        '6 spec.params[0].name: invalid key name "1st": must match ^[_a-zA-Z][_a-zA-Z0-9.-]*$',
        '8 spec.params[2].name: parameter appears more than once: "DUP" (names are case-insensitive)',
        `9 spec.params[3].default: "array" type does not match default value's type: "string"`,
        '10 spec.params[4].properties: missing field(s)',
        '11 spec.params[5].type: invalid value: number: must be one of string, array, object',
        '12 spec.params[6].default: param default value "green" not in the enum list',
        '13 spec.params[7].properties.a.b: invalid key name "a.b": must match ^[_a-zA-Z][_a-zA-Z0-9-]*$',
      ],
    },
    {
      name: 'results: names, types, object properties',
      yaml: task('  results:\n    - name: -bad\n    - {name: r, type: number}\n    - {name: o, type: object}\n  steps: [{image: a}]\n'),
      want: [
        "6 spec.results[0].name: invalid key name \"-bad\": must consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character",
        '7 spec.results[1].type: invalid value: number: must be one of string, array, object',
        '8 spec.results[2].properties: missing field(s)',
      ],
    },
    {
      name: 'workspaces: unique names and mount paths, usages declared',
      yaml: task('  workspaces:\n    - name: src\n    - name: src\n    - {name: out, mountPath: /data}\n  steps:\n    - image: a\n      volumeMounts: [{name: v, mountPath: /data}]\n      workspaces: [{name: nope}]\n'),
      want: [
        '7 spec.workspaces[1].name: workspace name "src" must be unique',
        '7 spec.workspaces[1].mountPath: workspace mount path "/workspace/src" must be unique',
        '8 spec.workspaces[2].mountPath: workspace mount path "/data" must be unique',
        '12 spec.steps[0].workspaces[0].name: undefined workspace "nope"',
      ],
    },
    {
      name: 'a standalone Task must declare the params it uses; results used must be declared',
      yaml: task('  params: [{name: o, type: object, properties: {k: {}}}]\n  steps:\n    - image: $(params.img)\n      args: ["$(params.o.k)", "$(params.o.nokey)"]\n      script: echo > $(results.missing.path)\n'),
      want: [
        '7 spec.steps[0].image: non-existent variable in "$(params.img)": param "img" is not declared',
        '8 spec.steps[0].args[1]: non-existent variable in "$(params.o.nokey)": object param "o" has no key "nokey"',
        '9 spec.steps[0].script: non-existent variable in "$(results.missing.path)": result "missing" is not declared',
      ],
    },
    {
      name: 'volumes with the same name; reserved sidecar name',
      yaml: task('  volumes: [{name: v, emptyDir: {}}, {name: v, emptyDir: {}}]\n  sidecars: [{name: tekton-log-results, image: a}]\n  steps: [{image: a}]\n'),
      want: [
        '5 spec.volumes[1].name: multiple volumes with same name "v"',
        '6 spec.sidecars[0].name: Invalid: cannot use reserved sidecar name tekton-log-results',
      ],
    },
    {
      name: 'step when expressions',
      yaml: task('  steps:\n    - image: a\n      when: [{input: a, operator: is, values: [a]}, {cel: "true", input: x}]\n'),
      want: [
        '7 spec.steps[0].when[0].operator: invalid value: operator "is" is not recognized. valid operators: in,notin',
        '7 spec.steps[0].when[1]: cel and input+operator+values cannot be set in one WhenExpression',
      ],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.yaml), c.want));
});

test('validateTaskSpec: inline specs may use propagated params', () => {
  const spec = { steps: [{ image: 'a', script: 'echo $(params.anything)' }] };
  assert.deepEqual(validateTaskSpec(spec, 'spec.taskSpec'), []);
  assert.deepEqual(validateTaskSpec(spec, 'spec', { declaredParamsOnly: true }).map((e) => e.path), ['spec.steps[0].script']);
});
