import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';

const CHARS = "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const a = (n: number) => 'a'.repeat(n);
/** `a…` of `n` characters shown as messages show it (at most 80). */
const shown = (n: number) => (n > 80 ? `${a(77)}...` : a(n));
/** A valid DNS subdomain of exactly `n` characters (labels of 63 joined by dots). */
const subdomain = (n: number) => Array.from({ length: Math.ceil(n / 64) }, (_, i) => a(Math.min(63, n - i * 64))).join('.');
const pvc = (meta: string) => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n${meta}`;

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
    { name: 'Tekton names: a dot is no error (a warning, below)', yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: a.b\nspec: {steps: [{image: a}]}\n', want: [] },
    { name: 'Tekton names: still a DNS subdomain', yaml: 'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: a..b\nspec: {description: d}\n', want: [`4 metadata.name: invalid resource name "a..b": must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character`] },
    { name: 'upper case names', yaml: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: Builder\n', want: [`4 metadata.name: invalid resource name "Builder": must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character`] },
    { name: 'namespace must be a DNS label', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: My_NS\n', want: [`5 metadata.namespace: invalid value: "My_NS": a namespace must be a DNS label (lower case alphanumerics and '-')`] },
    { name: 'labels', yaml: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c\n  labels:\n    ok: fine\n    bad: "not ok"\n', want: [`7 metadata.labels.bad: invalid label value "not ok": must be empty or consist of ${CHARS}`] },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.yaml), c.want));
});

test('metadata limits: names, generateName, label keys and values', async (t) => {
  const cases: Array<{ name: string; yaml: string; want: string[] }> = [
    { name: 'a name of 253 characters', yaml: pvc(`  name: ${subdomain(253)}\n`), want: [] },
    { name: 'a name of 254 characters', yaml: pvc(`  name: ${subdomain(254)}\n`), want: [`4 metadata.name: invalid resource name "${subdomain(254).slice(0, 77)}...": length must be no more than 253 characters`] },
    { name: 'a Tekton name of 64 characters', yaml: `apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  name: ${a(64)}\nspec: {taskRef: {name: t}}\n`, want: [`4 metadata.name: invalid resource name "${a(64)}": length must be no more than 63 characters`] },
    { name: 'a generateName of 253 characters', yaml: pvc(`  generateName: ${a(253)}\n`), want: [] },
    { name: 'a generateName of 254 characters', yaml: pvc(`  generateName: ${a(254)}\n`), want: [`4 metadata.generateName: invalid value: "${shown(254)}": must be no more than 253 characters`] },
    { name: 'a Tekton generateName longer than 63 (the store keeps 58 of it)', yaml: `apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  generateName: ${a(100)}-\nspec: {taskRef: {name: t}}\n`, want: [] },
    { name: 'a Tekton generateName with a dot', yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  generateName: a.b-\nspec: {taskRef: {name: t}}\n', want: [`4 metadata.generateName: invalid value: "a.b-": must be lower case alphanumeric characters or '-', starting with an alphanumeric character`] },
    { name: 'a Namespace generateName of 64 characters', yaml: `apiVersion: v1\nkind: Namespace\nmetadata:\n  generateName: ${a(64)}\n`, want: [`4 metadata.generateName: invalid value: "${a(64)}": must be no more than 63 characters`] },
    { name: 'label values of 63 and 64 characters', yaml: pvc(`  name: c\n  labels:\n    ok: ${a(63)}\n    long: ${a(64)}\n`), want: [`7 metadata.labels.long: invalid label value "${a(64)}": must be no more than 63 characters`] },
    { name: 'an empty label value', yaml: pvc('  name: c\n  labels:\n    empty: ""\n'), want: [] },
    { name: 'label key name parts of 63 and 64 characters', yaml: pvc(`  name: c\n  labels:\n    ${a(63)}: x\n    ${a(64)}: x\n`), want: [`7 metadata.labels.${a(64)}: invalid label key "${a(64)}": name part must be no more than 63 characters`] },
    { name: 'label key prefixes of 253 and 254 characters', yaml: pvc(`  name: c\n  labels:\n    ${subdomain(253)}/n: x\n    ${subdomain(254)}/n: x\n`), want: [`7 metadata.labels.${subdomain(254)}/n: invalid label key "${`${subdomain(254)}/n`.slice(0, 77)}...": prefix part must be no more than 253 characters`] },
    {
      name: 'label keys with bad characters, an empty part or two slashes',
      yaml: pvc('  name: c\n  labels:\n    "a b": x\n    /n: x\n    p/: x\n    a/b/c: x\n    Up.Case/n: x\n    -x: x\n'),
      want: [
        `6 metadata.labels.a b: invalid label key "a b": name part must consist of ${CHARS}`,
        '7 metadata.labels./n: invalid label key "/n": prefix part must be non-empty',
        '8 metadata.labels.p/: invalid label key "p/": name part must be non-empty',
        "9 metadata.labels.a/b/c: invalid label key \"a/b/c\": a label key is a name with an optional DNS subdomain prefix and '/' (e.g. 'example.com/my-name')",
        `10 metadata.labels.Up.Case/n: invalid label key "Up.Case/n": prefix part must be a lower case DNS subdomain (alphanumerics, '-' and '.')`,
        `11 metadata.labels.-x: invalid label key "-x": name part must consist of ${CHARS}`,
      ],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.yaml), c.want));
});

test('a dotted Tekton name is taken, with a warning that Tekton itself refuses it', () => {
  const yaml = 'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: demo.pipeline\nspec:\n  tasks: [{name: a, taskSpec: {steps: [{image: a, script: "true"}]}}]\n';
  const r = loadManifests(yaml, 'f.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings.map((e) => `${e.line} ${e.path}: ${e.message}`), [
    `4 metadata.name: "demo.pipeline" has a '.', which Tekton's admission webhook refuses: kiln runs it, a Tekton cluster will not take this file as written`,
  ]);
  // other kinds have dotted names on Kubernetes too: no warning
  assert.deepEqual(loadManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a.b}\n', 'f.yaml').warnings, []);
});
