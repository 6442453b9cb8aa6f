import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from '../../api/core.types.ts';
import type { KObject } from '../../api/meta.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { SECRET, SERVICEACCOUNT } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Executor } from '../../executor/executor.ts';
import { accountSecretNames, credentialsOf } from './creds.ts';
import { prepareAttempt } from './prepare.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
function secret(name: string, type: string, annotations: Record<string, string>, data: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns', annotations }, type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) };
}
const account = (name: string, secrets: string[]): KObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'ns' }, secrets: secrets.map((n) => ({ name: n })) } as KObject);
const run = (serviceAccountName?: string): TaskRun => ({
  apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'r', namespace: 'ns', uid: 'u1' },
  spec: { ...(serviceAccountName ? { serviceAccountName } : {}), taskSpec: { steps: [{ name: 's', image: 'alpine', script: 'cat $(credentials.path)/.git-credentials' }] } },
});
const noExecutor: Executor = { name: 'none', check: () => [], start: () => { throw new Error('not started'); }, get: () => undefined, notices: () => [], close: async () => {} };

async function seeded() {
  const store = createMemoryStore();
  await store.create(SERVICEACCOUNT, account('builder', ['gone', 'git-basic', 'plain', 'git-ssh']));
  await store.create(SERVICEACCOUNT, account('default', ['git-basic']));
  await store.create(SECRET, secret('git-basic', 'kubernetes.io/basic-auth', { 'tekton.dev/git-0': 'https://git.example.com' }, { username: 'bob', password: 'pw-7f3e9a' }));
  await store.create(SECRET, secret('plain', 'Opaque', {}, { token: 'unrelated-1' }));
  await store.create(SECRET, secret('git-ssh', 'kubernetes.io/ssh-auth', { 'tekton.dev/git-0': 'git.example.com:2222' }, { 'ssh-privatekey': 'KEY-LINE-abcdef\n' }));
  return store;
}

describe('credentials from the ServiceAccount', () => {
  test("the account's Secrets in order; a missing one is skipped, an unannotated one gives nothing", async () => {
    const got = await credentialsOf(run('builder'), await seeded());
    assert.deepEqual(got.errors, []);
    assert.deepEqual(Object.keys(got.files), ['.gitconfig', '.git-credentials', '.ssh/id_git-ssh', '.ssh/config']);
    assert.equal(got.files['.git-credentials'], 'https://bob:pw-7f3e9a@git.example.com\n');
    assert.ok(!got.masked.includes('unrelated-1'));
  });
  test('an unnamed account is "default"; an account that does not exist gives nothing', async () => {
    const store = await seeded();
    assert.deepEqual(Object.keys((await credentialsOf(run(), store)).files), ['.gitconfig', '.git-credentials']);
    assert.deepEqual(await credentialsOf(run('nobody'), store), { files: {}, masked: [], errors: [] });
  });
  test('accountSecretNames: names in order, each once, malformed entries skipped', () => {
    assert.deepEqual(accountSecretNames({ secrets: [{ name: 'a' }, {}, 'x', { name: 'b' }, { name: 'a' }] } as never), ['a', 'b']);
    assert.deepEqual(accountSecretNames(undefined), []);
  });
  test('the plan carries the files, $(credentials.path) is /tekton/creds and the values are masked', async () => {
    const p = await prepareAttempt(run('builder'), 0, { store: await seeded(), executor: noExecutor, offline: false });
    assert.ok(p.ok, JSON.stringify(p));
    assert.equal(p.plan.credentials?.['.ssh/config'], 'Host git.example.com\n    HostName git.example.com\n    Port 2222\n    IdentityFile /tekton/creds/.ssh/id_git-ssh\n    UserKnownHostsFile /tekton/creds/.ssh/known_hosts\n    StrictHostKeyChecking accept-new\n');
    assert.match(p.plan.steps[0].script ?? '', /cat \/tekton\/creds\/\.git-credentials/);
    for (const v of ['pw-7f3e9a', 'KEY-LINE-abcdef\n']) assert.ok(p.plan.secrets?.includes(v), v);
  });
  test('a Secret creds-init cannot read fails the attempt, naming it', async () => {
    const store = await seeded();
    await store.create(SECRET, secret('bad', 'kubernetes.io/dockerconfigjson', {}, { '.dockerconfigjson': '{' }));
    await store.create(SERVICEACCOUNT, account('broken', ['bad']));
    const p = await prepareAttempt(run('broken'), 0, { store, executor: noExecutor, offline: false });
    assert.equal(p.ok, false);
    assert.match(!p.ok ? p.message : '', /^credentials of service account "broken": secret "bad": \.dockerconfigjson is not JSON/);
  });
});
