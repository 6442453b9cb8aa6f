import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createResolution, type Resolver } from './framework.ts';
import { createGitApiResolver, gitApiConfigOf, gitApiParams, withGitApiMode, type GitApiResolverOptions } from './gitapi.ts';
import { github, gitlab, scmDriver } from './scm.ts';
import { startFakeScm, type FakeScm } from './testing-scm.ts';
import type { Param } from '../api/param.types.ts';

const task = (msg: string) => `apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: hello}\nspec:\n  steps:\n    - name: say\n      image: busybox\n      script: echo ${msg}\n`;
const C1 = '1'.repeat(40);
const C2 = 'a'.repeat(40);
const CLONE = 'https://scm.example/tektoncd/catalog.git';
let scm: FakeScm;

before(async () => {
  scm = await startFakeScm({
    'tektoncd/catalog': {
      refs: { main: C2, v1: C1 },
      files: { [C1]: { 'task/hello/hello.yaml': task('one') }, [C2]: { 'task/hello/hello.yaml': task('two'), 'pipeline.yaml': 'kind: Pipeline' } },
      cloneUrl: CLONE,
    },
  }, 's3cret');
});
after(() => scm?.stop());

const secrets: Record<string, Record<string, string>> = { 'ns/gh': { token: 's3cret\n' }, 'ns/other-key': { pat: 's3cret' }, 'ns/wrong': { token: 'nope' }, 'kiln/global': { token: 's3cret' } };
function resolution(opts: Partial<GitApiResolverOptions> = {}) {
  const api = createGitApiResolver({ secretValue: async (ns, name, key) => secrets[`${ns}/${name}`]?.[key], ...opts });
  const clone: Resolver = { title: 'Git', async fetch() { throw new Error('clone mode asked'); } };
  return createResolution({ resolvers: { git: withGitApiMode(clone, api) } });
}
const p = (o: Record<string, string>): Param[] => Object.entries(o).map(([name, value]) => ({ name, value }));
const script = (obj: { spec?: unknown }) => (obj.spec as { steps: Array<{ script: string }> }).steps[0].script;
const resolve = (params: Record<string, string>, opts: Partial<GitApiResolverOptions> = {}) =>
  resolution(opts).resolve({ resolver: 'git', namespace: 'ns', kind: 'Task', params: p(params) });
const gh = (extra: Record<string, string> = {}) => ({ org: 'tektoncd', repo: 'catalog', pathInRepo: 'task/hello/hello.yaml', token: 'gh', serverURL: scm.url, ...extra });

test('GitHub: the file at a branch or tag, with the token as Bearer; provenance is the clone URL, the commit and the path', async () => {
  const from = scm.requests.length;
  const byBranch = await resolve(gh());
  assert.ok(byBranch.ok, JSON.stringify(byBranch));
  assert.equal(script(byBranch.object), 'echo two');
  assert.deepEqual(byBranch.refSource, { uri: `git+${CLONE}`, digest: { sha1: C2 }, entryPoint: 'task/hello/hello.yaml' });
  assert.deepEqual(scm.requests.slice(from).map((r) => r.url).sort(), [
    '/api/v3/repos/tektoncd/catalog',
    '/api/v3/repos/tektoncd/catalog/commits/main',
    '/api/v3/repos/tektoncd/catalog/contents/task/hello/hello.yaml?ref=main',
  ]);
  assert.ok(scm.requests.slice(from).every((r) => r.authorization === 'Bearer s3cret'), 'the Secret\'s value, trimmed');
  const renamed = await resolve(gh({ repo: 'old-name' }));
  assert.ok(renamed.ok && script(renamed.object) === 'echo two', `a redirect on the same origin is followed: ${JSON.stringify(renamed)}`);
  const byTag = await resolve(gh({ revision: 'v1', pathInRepo: '/task/hello/hello.yaml', token: 'other-key', tokenKey: 'pat' }));
  assert.ok(byTag.ok && script(byTag.object) === 'echo one' && byTag.refSource.digest.sha1 === C1, JSON.stringify(byTag));
});

test('GitLab: PRIVATE-TOKEN, the project as org/repo encoded, the commit from the file answer', async () => {
  const from = scm.requests.length;
  const r = await resolve(gh({ scmType: 'gitlab', revision: 'v1' }));
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(script(r.object), 'echo one');
  assert.deepEqual(r.refSource, { uri: `git+${CLONE}`, digest: { sha1: C1 }, entryPoint: 'task/hello/hello.yaml' });
  assert.deepEqual(scm.requests.slice(from).map((x) => x.url).sort(), [
    '/api/v4/projects/tektoncd%2Fcatalog',
    '/api/v4/projects/tektoncd%2Fcatalog/repository/files/task%2Fhello%2Fhello.yaml?ref=v1',
  ]);
  assert.ok(scm.requests.slice(from).every((x) => x.privateToken === 's3cret' && x.authorization === undefined));
});

test('API bases: github.com and its API, an Enterprise server under /api/v3, gitlab.com or a self-hosted GitLab', () => {
  const cases: Array<[typeof github, string, string]> = [
    [github, '', 'https://api.github.com'],
    [github, 'https://github.com/', 'https://api.github.com'],
    [github, 'https://api.github.com', 'https://api.github.com'],
    [github, 'https://ghe.corp', 'https://ghe.corp/api/v3'],
    [github, 'https://ghe.corp/api/v3/', 'https://ghe.corp/api/v3'],
    [gitlab, '', 'https://gitlab.com'],
    [gitlab, 'https://gitlab.corp/', 'https://gitlab.corp'],
  ];
  for (const [driver, server, want] of cases) assert.equal(driver.apiBase(server), want, `${driver.title} ${server}`);
  assert.deepEqual(scmDriver('gitea'), { error: 'scmType "gitea" is not supported by kiln\'s git resolver yet (supported: github, gitlab)', unsupported: true });
});

test('failures name the repository, path and revision: wrong token, missing path or revision, not JSON, missing Secret', async () => {
  const where = 'GitHub tektoncd/catalog, path "task/hello/hello.yaml", revision "main"';
  const cases: Array<{ name: string; params: Record<string, string>; message: RegExp }> = [
    { name: '401', params: gh({ token: 'wrong' }), message: new RegExp(`couldn't fetch resource content \\(${where}\\): http://127\\.0\\.0\\.1:\\d+/api/v3/repos/tektoncd/catalog/contents/task/hello/hello\\.yaml\\?ref=main answered 401 Unauthorized \\(Bad credentials\\): the token was refused$`) },
    { name: 'no such path', params: gh({ pathInRepo: 'nope.yaml' }), message: /couldn't fetch resource content \(GitHub tektoncd\/catalog, path "nope\.yaml", revision "main"\): .* answered 404 Not Found \(Not Found\): the repository, the path or the revision does not exist/ },
    { name: 'no such revision', params: gh({ revision: 'gone', pathInRepo: 'pipeline.yaml' }), message: /couldn't fetch resource content \(GitHub tektoncd\/catalog, path "pipeline\.yaml", revision "gone"\): .* 404/ },
    { name: 'not JSON', params: gh({ pathInRepo: 'broken.yaml' }), message: /path "broken\.yaml", revision "main"\): .* answered 200 OK with a body that is not JSON$/ },
    { name: 'no such repository', params: gh({ repo: 'nope' }), message: /\(GitHub tektoncd\/nope, path .*\): .* 404/ },
    { name: 'redirect to another origin', params: gh({ repo: 'moved-away' }), message: /redirects to http:\/\/localhost:\d+\/api\/v3\/repos\/tektoncd\/moved-away\/contents\/.*, which kiln does not follow with the token$/ },
    { name: 'missing Secret', params: gh({ token: 'absent' }), message: /cannot get API token, secret "absent" \(key "token"\) not found in namespace "ns"$/ },
    { name: 'no token at all', params: gh({ token: '' }), message: /cannot get API token, required when specifying 'repo' param/ },
    { name: 'url and repo', params: gh({ url: 'https://x/y.git' }), message: /cannot specify both 'url' and 'repo'$/ },
    { name: 'org missing', params: gh({ org: '' }), message: /'org' is required when 'repo' is specified$/ },
    { name: 'dot segments', params: gh({ pathInRepo: 'a/../../../user' }), message: /pathInRepo "a\/..\/..\/..\/user" must not hold "\." or "\.\." segments/ },
    { name: 'unknown scmType', params: gh({ scmType: 'svn' }), message: /scmType "svn" is not an SCM type/ },
  ];
  for (const c of cases) {
    const r = await resolve(c.params);
    assert.ok(!r.ok && !r.unsupported, `${c.name}: ${JSON.stringify(r)}`);
    assert.match(r.message, /^error requesting remote resource: error getting "Git" "ns\/git-[0-9a-f]{32}": /, c.name);
    assert.match(r.message, c.message, c.name);
  }
  const gitea = await resolve(gh({ scmType: 'gitea' }));
  assert.ok(!gitea.ok && gitea.unsupported && /not supported by kiln's git resolver yet/.test(gitea.message), JSON.stringify(gitea));
});

test('offline: a remote API is unsupported; a stand-in serves it from loopback; a commit revision is read once', async () => {
  const off = await resolve(gh({ serverURL: 'https://ghe.corp' }), { offline: true });
  assert.ok(!off.ok && off.unsupported && /the GitHub API at https:\/\/ghe\.corp\/api\/v3 needs the network/.test(off.message), JSON.stringify(off));
  const r = resolution({ offline: true, rewrites: [{ from: 'https://api.github.com', to: `${scm.url}/api/v3` }] });
  const req = { resolver: 'git', namespace: 'ns', kind: 'Task' as const, params: p(gh({ serverURL: '', revision: C1 })) };
  const from = scm.requests.length;
  const first = await r.resolve(req);
  assert.ok(first.ok && script(first.object) === 'echo one', JSON.stringify(first));
  const again = await r.resolve(req);
  assert.ok(again.ok);
  assert.equal(scm.requests.length - from, 3, 'the second resolution came from the cache');
});

test('server-wide settings: scm type, server URL, token Secret and org; that token goes to the configured server only', async () => {
  const config = { scmType: 'gitlab', serverURL: scm.url, tokenSecret: { name: 'global', namespace: 'kiln' }, defaultOrg: 'tektoncd' };
  const r = await resolve({ repo: 'catalog', pathInRepo: 'task/hello/hello.yaml' }, config);
  assert.ok(r.ok && r.refSource.digest.sha1 === C2, JSON.stringify(r));
  const elsewhere = await resolve({ repo: 'catalog', pathInRepo: 'task/hello/hello.yaml', serverURL: 'http://127.0.0.1:1' }, config);
  assert.ok(!elsewhere.ok && /the server-wide API token is sent only to the configured GitLab API at http:\/\/127\.0\.0\.1:\d+; give the 'token' param to use GitLab at http:\/\/127\.0\.0\.1:1$/.test(elsewhere.message), JSON.stringify(elsewhere));
  const otherType = await resolve({ repo: 'catalog', pathInRepo: 'task/hello/hello.yaml', scmType: 'github' }, config);
  assert.ok(!otherType.ok && /sent only to the configured GitLab API/.test(otherType.message), JSON.stringify(otherType));
  assert.deepEqual(gitApiConfigOf({ 'scm-type': 'gitlab', 'server-url': 'https://gitlab.corp', 'api-token-secret-name': 'scm', 'api-token-secret-namespace': 'kiln', 'default-org': '' }), {
    scmType: 'gitlab', serverURL: 'https://gitlab.corp', tokenSecret: { name: 'scm', key: undefined, namespace: 'kiln' }, defaultOrg: undefined, defaultRevision: undefined,
  });
  assert.deepEqual(gitApiParams(new Map([['repo', 'r'], ['pathInRepo', 'x.yaml'], ['token', 't']]), 'ns', { defaultOrg: 'o' }), {
    org: 'o', repo: 'r', path: 'x.yaml', revision: 'main', scmType: 'github', serverURL: '', token: { namespace: 'ns', name: 't', key: 'token', serverWide: false },
  });
});
