import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { serveGitHttp, type GitHttpServer } from '../gitops/source/testing.ts';
import { createResolution } from './framework.ts';
import { createGitResolver } from './git.ts';
import { configFor, gitConfigsOf } from './gitconfig.ts';
import { makeRepo, type TestRepo } from './testing.ts';

const TASK = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: private}\nspec:\n  steps: [{name: s, image: busybox, script: echo hi}]\n';

test('git-resolver-config: unprefixed keys are the default configuration, CONFIGKEY.KEY another; configKey selects', () => {
  const configs = gitConfigsOf({
    'fetch-timeout': '30s', 'default-revision': 'stable', 'scm-type': 'github',
    'corp.fetch-timeout': '1m', 'corp.default-url': 'https://git.corp/catalog.git', 'corp.scm-type': 'gitlab', 'corp.api-token-secret-name': 'pat', 'corp.api-token-secret-namespace': 'ci',
  });
  assert.deepEqual(configs.default, { scmType: 'github', serverURL: undefined, tokenSecret: undefined, defaultOrg: undefined, defaultRevision: 'stable', defaultUrl: undefined, fetchTimeoutMs: 30_000 });
  assert.deepEqual(configs.corp, { scmType: 'gitlab', serverURL: undefined, tokenSecret: { name: 'pat', key: undefined, namespace: 'ci' }, defaultOrg: undefined, defaultRevision: undefined, defaultUrl: 'https://git.corp/catalog.git', fetchTimeoutMs: 60_000 });
  assert.equal(configFor(configs, new Map()), configs.default);
  assert.equal(configFor(configs, new Map([['configKey', 'corp']])), configs.corp);
  assert.deepEqual(configFor({}, new Map()), {});
  assert.throws(() => configFor(configs, new Map([['configKey', 'other']])), /no git resolver configuration found for configKey "other"/);
});

let repo: TestRepo;
let server: GitHttpServer;

before(async () => {
  repo = makeRepo('private.git');
  repo.commit({ 'task.yaml': TASK });
  server = await serveGitHttp(dirname(repo.dir), { username: 'git', password: 's3cret' });
});
after(() => server?.close());

function resolution(secrets: Record<string, string>, configs = {}) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kiln-gitcache-'));
  const secretValue = async (ns: string, name: string, key: string) => secrets[`${ns}/${name}/${key}`];
  return createResolution({ resolvers: { git: createGitResolver({ cacheDir, configs, secretValue }) } });
}

const params = (extra: Record<string, string> = {}) => Object.entries({ url: `${server.url}/private.git`, revision: 'main', pathInRepo: 'task.yaml', ...extra }).map(([name, value]) => ({ name, value }));

test('gitToken / gitTokenKey: a private repository over http, the token from a Secret of the run\'s namespace', async () => {
  const r = resolution({ 'team/clone-token/token': 's3cret', 'team/other/pat': 's3cret' });
  const ok = await r.resolve({ resolver: 'git', namespace: 'team', kind: 'Task', params: params({ gitToken: 'clone-token' }) });
  assert.ok(ok.ok, !ok.ok ? ok.message : '');
  assert.equal(ok.object.metadata.name, 'private');
  const keyed = await r.resolve({ resolver: 'git', namespace: 'team', kind: 'Task', params: params({ gitToken: 'other', gitTokenKey: 'pat' }) });
  assert.ok(keyed.ok);
  // without the token, the commit another request fetched with one is not handed out: the fetch is refused
  const anonymous = await r.resolve({ resolver: 'git', namespace: 'team', kind: 'Task', params: params({ revision: ok.refSource.digest.sha1 }) });
  assert.ok(!anonymous.ok);
  assert.match(anonymous.message, /git fetch .* failed/);
  const missing = await r.resolve({ resolver: 'git', namespace: 'elsewhere', kind: 'Task', params: params({ gitToken: 'clone-token' }) });
  assert.ok(!missing.ok);
  assert.match(missing.message, /cannot get git token, secret "clone-token" \(key "token"\) not found in namespace "elsewhere"$/);
  const wrong = await resolution({ 'team/clone-token/token': 'nope' }).resolve({ resolver: 'git', namespace: 'team', kind: 'Task', params: params({ gitToken: 'clone-token' }) });
  assert.ok(!wrong.ok);
  assert.doesNotMatch(wrong.message, /nope|Basic/);
});

test('configKey: the configuration\'s default-url and default-revision; its fetch-timeout bounds the request', async () => {
  const configs = gitConfigsOf({ 'corp.default-url': `${server.url}/private.git`, 'corp.default-revision': 'main', 'slow.default-url': `${server.url}/private.git`, 'slow.fetch-timeout': '1ms' });
  const r = resolution({ 'team/t/token': 's3cret' }, configs);
  const ok = await r.resolve({ resolver: 'git', namespace: 'team', kind: 'Task', params: [{ name: 'pathInRepo', value: 'task.yaml' }, { name: 'configKey', value: 'corp' }, { name: 'gitToken', value: 't' }] });
  assert.ok(ok.ok, !ok.ok ? ok.message : '');
  assert.equal(ok.refSource.uri, `git+${server.url}/private.git`);
  const slow = await r.resolve({ resolver: 'git', namespace: 'team', kind: 'Task', params: [{ name: 'pathInRepo', value: 'task.yaml' }, { name: 'configKey', value: 'slow' }, { name: 'gitToken', value: 't' }] });
  assert.ok(!slow.ok);
  assert.match(slow.message, /resolution took longer than the timeout of 1ms$/);
  const unknown = await r.resolve({ resolver: 'git', namespace: 'team', kind: 'Task', params: [{ name: 'pathInRepo', value: 'task.yaml' }, { name: 'configKey', value: 'nope' }] });
  assert.ok(!unknown.ok);
  assert.match(unknown.message, /no git resolver configuration found for configKey "nope"$/);
});
