import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';
import type { StepAction } from './task.types.ts';

/** A StepAction whose spec body starts at line 5. */
function stepAction(body: string, apiVersion = 'tekton.dev/v1beta1'): string {
  return `apiVersion: ${apiVersion}\nkind: StepAction\nmetadata: {name: sa}\nspec:\n${body}`;
}

function problems(yaml: string): string[] {
  return loadManifests(yaml, 'f.yaml').errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
}

test('StepAction validation: exact paths and lines', async (t) => {
  const cases: Array<{ name: string; yaml: string; want: string[] }> = [
    {
      name: 'valid, params reach the script through env',
      yaml: stepAction('  params: [{name: msg}]\n  results: [{name: out}]\n  image: alpine\n  env: [{name: MSG, value: $(params.msg)}]\n  script: echo "$MSG" > $(step.results.out.path)\n'),
      want: [],
    },
    { name: 'image required', yaml: stepAction('  script: echo\n'), want: ['4 spec.image: missing field(s)'] },
    {
      name: 'script with command; params in script',
      yaml: stepAction('  params: [{name: p}]\n  image: a\n  command: [sh]\n  script: echo $(params.p)\n'),
      want: [
        '8 spec.script: script cannot be used with command',
        '8 spec.script: param substitution in scripts is not allowed (pass params through env)',
      ],
    },
    {
      name: 'undeclared params, bad results, mounts under /tekton/',
      yaml: stepAction('  image: $(params.img)\n  results: [{name: "a b"}]\n  volumeMounts: [{name: v, mountPath: /tekton/steps}]\n'),
      want: [
        '5 spec.image: non-existent variable in "$(params.img)": param "img" is not declared',
        "6 spec.results[0].name: invalid key name \"a b\": must consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character",
        '7 spec.volumeMounts[0].mountPath: volumeMount cannot be mounted under /tekton/ (volumeMount "v" mounted at "/tekton/steps")',
      ],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.yaml), c.want));
});

test('StepAction v1alpha1 is accepted and stored as v1beta1', () => {
  const r = loadManifests(stepAction('  image: a\n  params: [{name: p, default: [x]}]\n', 'tekton.dev/v1alpha1'), 'f.yaml');
  assert.deepEqual(r.errors, []);
  const sa = r.objects[0].object as StepAction;
  assert.equal(sa.apiVersion, 'tekton.dev/v1beta1');
  assert.equal(sa.spec.params![0].type, 'array');
});
