import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from '../../api/core.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { SECRET, SERVICEACCOUNT } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { mergeAuths, registryAuthOf, runPullSecretNames, secretAuths } from './pullsecrets.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
function secret(name: string, type: string | undefined, data: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns' }, type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) };
}
const cfg = (auths: object) => JSON.stringify({ auths });
const run = (spec: Partial<TaskRun['spec']> = {}): TaskRun => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'r', namespace: 'ns' }, spec });

describe('secretAuths', () => {
  const cases: Array<[string, Secret, unknown]> = [
    ['dockerconfigjson', secret('a', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': cfg({ 'r.io': { auth: 'x' } }) }), { auths: { 'r.io': { auth: 'x' } } }],
    ['legacy dockercfg', secret('a', 'kubernetes.io/dockercfg', { '.dockercfg': JSON.stringify({ 'r.io': { auth: 'y' } }) }), { auths: { 'r.io': { auth: 'y' } } }],
    ['Opaque', secret('a', undefined, { '.dockerconfigjson': cfg({}) }), { error: 'secret "a" is of type "Opaque", not kubernetes.io/dockerconfigjson' }],
    ['no key', secret('a', 'kubernetes.io/dockerconfigjson', {}), { error: 'secret "a" has no .dockerconfigjson key' }],
    ['no auths', secret('a', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': '{"x":1}' }), { error: 'secret "a": .dockerconfigjson has no "auths" object' }],
  ];
  for (const [name, s, want] of cases) test(name, () => assert.deepEqual(secretAuths(s), want));
});

describe('registry credentials of a run', () => {
  test("the podTemplate's imagePullSecrets first, then the ServiceAccount's, each once", () => {
    assert.deepEqual(runPullSecretNames(run({ podTemplate: { imagePullSecrets: [{ name: 'a' }, { name: 'b' }, {}] } }), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: {}, imagePullSecrets: [{ name: 'b' }, { name: 'c' }] } as never), ['a', 'b', 'c']);
  });
  test('merged: the first entry for a registry wins; missing and unreadable Secrets are skipped', () => {
    const secrets = new Map([
      ['a', secret('a', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': cfg({ 'one.io': { auth: 'A' } }) })],
      ['b', secret('b', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': cfg({ 'one.io': { auth: 'B' }, 'two.io': { auth: 'B2' } }) })],
      ['bad', secret('bad', 'Opaque', {})],
    ]);
    const got = mergeAuths(['a', 'gone', 'bad', 'b'], secrets);
    assert.deepEqual(JSON.parse(got.config!), { auths: { 'one.io': { auth: 'A' }, 'two.io': { auth: 'B2' } } });
    assert.deepEqual(got.errors, ['secret "bad" is of type "Opaque", not kubernetes.io/dockerconfigjson']);
    assert.deepEqual(mergeAuths(['gone'], secrets), { config: undefined, errors: [] });
  });
  test("from the store: the named ServiceAccount's, or default's", async () => {
    const store = createMemoryStore();
    await store.create(SECRET, secret('pull', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': cfg({ 'r.io': { auth: 'Z' } }) }));
    await store.create(SERVICEACCOUNT, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'ns' }, imagePullSecrets: [{ name: 'pull' }] } as never);
    assert.deepEqual(JSON.parse((await registryAuthOf(run({ serviceAccountName: 'builder' }), store))!), { auths: { 'r.io': { auth: 'Z' } } });
    assert.equal(await registryAuthOf(run(), store), undefined);
    assert.equal(await registryAuthOf(run({ serviceAccountName: 'absent' }), store), undefined);
  });
});
