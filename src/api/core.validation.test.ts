import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';

function problems(yaml: string): string[] {
  return loadManifests(yaml, 'f.yaml').errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
}

test('core kinds and metadata: exact paths and lines', async (t) => {
  const cases: Array<{ name: string; yaml: string; want: string[] }> = [
    { name: 'a ConfigMap', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings.v1, namespace: ci}\ndata: {a.txt: hello}\n', want: [] },
    { name: 'a Secret with base64 data and stringData', yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {token: aGVsbG8=}\nstringData: {user: me}\n', want: [] },
    { name: 'bad base64', yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  token: hello!\n', want: ['5 data.token: invalid value: illegal base64 data (use stringData for plain text)'] },
    { name: 'bad data key', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  "a b": x\n', want: [`5 data.a b: invalid key name "a b": must consist of alphanumeric characters, '-', '_' or '.'`] },
    { name: 'non-string data value', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  n: 3\n', want: ['5 data.n: invalid type: expected string, got number'] },
    { name: 'generateName is enough', yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {generateName: run-}\nspec: {taskRef: {name: t}}\n', want: [] },
    { name: 'Tekton names: no dots', yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: a.b\nspec: {steps: [{image: a}]}\n', want: ['4 metadata.name: invalid resource name "a.b": special character . must not be present'] },
    { name: 'upper case names', yaml: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: Builder\n', want: [`4 metadata.name: invalid resource name "Builder": must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character`] },
    { name: 'namespace must be a DNS label', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: My_NS\n', want: [`5 metadata.namespace: invalid value: "My_NS": a namespace must be a DNS label (lower case alphanumerics and '-')`] },
    { name: 'labels', yaml: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c\n  labels:\n    ok: fine\n    bad: "not ok"\n', want: ['7 metadata.labels.bad: invalid label value "not ok"'] },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.yaml), c.want));
});
