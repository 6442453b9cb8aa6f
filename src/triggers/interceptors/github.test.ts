// The GitHub interceptor: Tekton's reference vector, the signed payload files of
// ../shared/conformance/triggers, forged/unsigned/wrong-secret/wrong-prefix deliveries, eventTypes,
// addChangedFiles, and the parts that need the GitHub API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { githubInterceptor } from './github.ts';
import { signBody } from './signature.ts';
import { CODES, type InterceptorDeps, type InterceptorRequest } from '../types.ts';

const CONFORMANCE = resolve(import.meta.dirname, '../../../../shared/conformance/triggers');
const skip = existsSync(CONFORMANCE) ? false : `conformance data not found at ${CONFORMANCE} (../shared is absent): skipping payload-file cases`;

const SECRET_REF = { secretName: 'github-secret', secretKey: 'token' };

function deps(value = 'secret', seen: string[] = []): InterceptorDeps {
  return {
    secret: async (ns, name, key) => {
      seen.push(`${ns}/${name}/${key}`);
      return name === 'github-secret' && key === 'token' ? value : undefined;
    },
  };
}

function request(body: string, header: Record<string, string[]>, params: Record<string, unknown> = {}): InterceptorRequest {
  return {
    body,
    header,
    extensions: {},
    interceptor_params: params,
    context: { event_url: 'http://el-listener.default.svc:8080/', event_id: 'e1', trigger_id: 'namespaces/ci/triggers/on-push' },
  };
}

const fail = (code: number, message: string) => ({ continue: false, status: { code, message } });

test('Tekton reference vector: secret "secret", body {}', async () => {
  const seen: string[] = [];
  const sig = 'sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13';
  const res = await githubInterceptor(request('{}', { 'X-Hub-Signature-256': [sig], 'X-Github-Event': ['push'] }, { secretRef: SECRET_REF }), deps('secret', seen));
  assert.deepEqual(res, { continue: true });
  assert.deepEqual(seen, ['ci/github-secret/token'], 'the secret is read in the namespace of context.trigger_id');
});

test('signature failures', async (t) => {
  const body = '{"ref":"refs/heads/main"}';
  const good = signBody(body, 'secret');
  const cases: { name: string; header: Record<string, string[]>; body?: string; secret?: string; want: object }[] = [
    { name: 'valid', header: { 'X-Hub-Signature-256': [good] }, want: { continue: true } },
    { name: 'unsigned', header: {}, want: fail(CODES.FailedPrecondition, 'no X-Hub-Signature-256 header set') },
    { name: 'only the legacy sha1 X-Hub-Signature is not accepted', header: { 'X-Hub-Signature': [signBody(body, 'secret', 'sha1')] }, want: fail(CODES.FailedPrecondition, 'no X-Hub-Signature-256 header set') },
    { name: 'forged body', header: { 'X-Hub-Signature-256': [good] }, body: body.replace('main', 'evil'), want: fail(CODES.FailedPrecondition, 'payload signature check failed') },
    { name: 'wrong secret', header: { 'X-Hub-Signature-256': [good] }, secret: 'other', want: fail(CODES.FailedPrecondition, 'payload signature check failed') },
    { name: 'wrong prefix', header: { 'X-Hub-Signature-256': [good.replace('sha256=', 'md5=')] }, want: fail(CODES.FailedPrecondition, 'unknown hash type prefix: "md5"') },
    { name: 'sha1 in the 256 header is checked as sha1', header: { 'X-Hub-Signature-256': [signBody(body, 'secret', 'sha1')] }, want: { continue: true } },
    { name: 'sha512 prefix', header: { 'X-Hub-Signature-256': [signBody(body, 'secret', 'sha512')] }, want: { continue: true } },
    { name: 'no prefix', header: { 'X-Hub-Signature-256': [good.slice(7)] }, want: fail(CODES.FailedPrecondition, `error parsing signature "${good.slice(7)}"`) },
    { name: 'not hex', header: { 'X-Hub-Signature-256': ['sha256=xyz1'] }, want: fail(CODES.FailedPrecondition, `error decoding signature "sha256=xyz1": encoding/hex: invalid byte: U+0078 'x'`) },
    { name: 'lower-case header key is canonicalised', header: { 'x-hub-signature-256': [good] }, want: { continue: true } },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const res = await githubInterceptor(request(c.body ?? body, c.header, { secretRef: SECRET_REF }), deps(c.secret ?? 'secret'));
      assert.deepEqual(res, c.want);
    });
  }
});

test('no secretRef: no signature check at all', async () => {
  assert.deepEqual(await githubInterceptor(request('{}', { 'X-Hub-Signature-256': ['sha256=00'] }), deps()), { continue: true });
});

test('secretRef problems', async () => {
  const sig = { 'X-Hub-Signature-256': [signBody('{}', 'secret')] };
  assert.deepEqual(await githubInterceptor(request('{}', sig, { secretRef: { secretName: 'github-secret', secretKey: '' } }), deps()), fail(CODES.FailedPrecondition, 'github interceptor secretRef.secretKey is empty'));
  const missing = await githubInterceptor(request('{}', sig, { secretRef: { secretName: 'nope', secretKey: 'token' } }), deps());
  assert.equal(missing.continue, false);
  assert.equal(missing.status?.code, CODES.FailedPrecondition);
  assert.match(missing.status!.message, /^error getting secret: /);
  const bad = await githubInterceptor(request('{}', sig, { secretRef: 'github-secret' }), deps());
  assert.equal(bad.status?.code, CODES.InvalidArgument);
  assert.match(bad.status!.message, /^failed to parse interceptor params: /);
});

test('form-encoded deliveries are rejected first', async () => {
  const res = await githubInterceptor(request('payload=%7B%7D', { 'Content-Type': ['application/x-www-form-urlencoded'], 'X-Github-Event': ['push'] }, { eventTypes: ['pull_request'], secretRef: SECRET_REF }), deps());
  assert.deepEqual(res, fail(CODES.InvalidArgument, 'form parameter encoding not supported, please change the hook to send JSON payloads'));
});

test('eventTypes against X-GitHub-Event', async (t) => {
  const cases: { name: string; header: Record<string, string[]>; eventTypes: unknown; want: object }[] = [
    { name: 'allowed', header: { 'X-Github-Event': ['push'] }, eventTypes: ['pull_request', 'push'], want: { continue: true } },
    { name: 'sent as X-GitHub-Event', header: { 'X-GitHub-Event': ['push'] }, eventTypes: ['push'], want: { continue: true } },
    { name: 'not in the list', header: { 'X-Github-Event': ['issues'] }, eventTypes: ['pull_request', 'push'], want: fail(CODES.FailedPrecondition, 'event type issues is not allowed') },
    { name: 'missing header', header: {}, eventTypes: ['push'], want: fail(CODES.FailedPrecondition, 'event type  is not allowed') },
    { name: 'empty list allows nothing', header: { 'X-Github-Event': ['push'] }, eventTypes: [], want: fail(CODES.FailedPrecondition, 'event type push is not allowed') },
    { name: 'null: no filter', header: { 'X-Github-Event': ['push'] }, eventTypes: null, want: { continue: true } },
    { name: 'case matters', header: { 'X-Github-Event': ['Push'] }, eventTypes: ['push'], want: fail(CODES.FailedPrecondition, 'event type Push is not allowed') },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => assert.deepEqual(await githubInterceptor(request('{}', c.header, { eventTypes: c.eventTypes }), deps()), c.want));
  }
});

test('eventTypes are checked before the signature', async () => {
  const res = await githubInterceptor(request('{}', { 'X-Github-Event': ['issues'] }, { eventTypes: ['push'], secretRef: SECRET_REF }), deps());
  assert.deepEqual(res, fail(CODES.FailedPrecondition, 'event type issues is not allowed'));
});

test('signed payload files from signature-vectors.json', { skip }, async (t) => {
  const vectors = JSON.parse(readFileSync(resolve(CONFORMANCE, 'vectors/signature-vectors.json'), 'utf8'));
  for (const f of vectors.signed_payload_files as { file: string; secret: string; 'X-GitHub-Event': string; 'X-Hub-Signature-256': string; 'X-Hub-Signature': string }[]) {
    await t.test(f.file, async () => {
      const body = readFileSync(resolve(CONFORMANCE, f.file), 'utf8');
      const params = { secretRef: SECRET_REF, eventTypes: [f['X-GitHub-Event']] };
      const header = { 'X-Github-Event': [f['X-GitHub-Event']], 'X-Hub-Signature-256': [f['X-Hub-Signature-256']], 'Content-Type': ['application/json'] };
      assert.deepEqual(await githubInterceptor(request(body, header, params), deps(f.secret)), { continue: true });
      assert.deepEqual(await githubInterceptor(request(body, header, params), deps('wrong')), fail(CODES.FailedPrecondition, 'payload signature check failed'));
      assert.deepEqual(await githubInterceptor(request(body + '\n', header, params), deps(f.secret)), fail(CODES.FailedPrecondition, 'payload signature check failed'));
      const legacyOnly = { 'X-Github-Event': [f['X-GitHub-Event']], 'X-Hub-Signature': [f['X-Hub-Signature']] };
      assert.deepEqual(await githubInterceptor(request(body, legacyOnly, params), deps(f.secret)), fail(CODES.FailedPrecondition, 'no X-Hub-Signature-256 header set'));
    });
  }
});

test('signature-vectors.json: the X-Hub-Signature-256 example deliveries', { skip }, async () => {
  const vectors = JSON.parse(readFileSync(resolve(CONFORMANCE, 'vectors/signature-vectors.json'), 'utf8'));
  const github = (vectors.vectors as { secret: string; body?: string; header: string; value: string; headers?: Record<string, string> }[]).filter((v) => v.header === 'X-Hub-Signature-256');
  assert.ok(github.length >= 4);
  for (const v of github) {
    const header: Record<string, string[]> = { 'X-Hub-Signature-256': [v.value] };
    for (const [k, val] of Object.entries(v.headers ?? {})) header[k] = [val];
    assert.deepEqual(await githubInterceptor(request(v.body!, header, { secretRef: SECRET_REF }), deps(v.secret)), { continue: true });
  }
});

test('addChangedFiles on push: from commits[*].added/modified/removed', async () => {
  const body = JSON.stringify({
    repository: { full_name: 'tektoncd/triggers' },
    commits: [
      { added: ['a.go'], modified: ['b.go', 'c.go'], removed: [] },
      { added: [], modified: [], removed: ['d.go'] },
    ],
  });
  const res = await githubInterceptor(request(body, { 'X-Github-Event': ['push'] }, { addChangedFiles: { enabled: true } }), deps());
  assert.deepEqual(res, { continue: true, extensions: { changed_files: 'a.go,b.go,c.go,d.go' } });
});

test('addChangedFiles on push: payload problems', async () => {
  const run = (body: string) => githubInterceptor(request(body, { 'X-Github-Event': ['push'] }, { addChangedFiles: { enabled: true } }), deps());
  assert.deepEqual(await run(''), fail(CODES.FailedPrecondition, 'error parsing body: body is empty'));
  assert.deepEqual(await run('{}'), fail(CODES.FailedPrecondition, "error parsing body: payload body missing 'repository' field"));
  assert.deepEqual(await run('{"repository":{}}'), fail(CODES.FailedPrecondition, "error parsing body: payload body missing 'repository.full_name' field"));
  assert.deepEqual(await run('{"repository":{"full_name":"a/b"},"commits":[{"added":[],"modified":[]}]}'), fail(CODES.FailedPrecondition, "error parsing body: payload body missing 'commits.*.removed' field"));
  assert.deepEqual(await run('{"repository":{"full_name":"a/b"}}'), { continue: true, extensions: { changed_files: '' } });
  assert.deepEqual(await run('nope'), fail(CODES.FailedPrecondition, "error parsing body: invalid character 'o' in literal null (expecting 'u')"));
});

test('addChangedFiles: real push payloads', { skip }, async () => {
  const run = (file: string) => githubInterceptor(request(readFileSync(resolve(CONFORMANCE, 'payloads', file), 'utf8'), { 'X-Github-Event': ['push'] }, { addChangedFiles: { enabled: true } }), deps());
  assert.deepEqual(await run('github-push-branch-with-commit.octokit.json'), { continue: true, extensions: { changed_files: 'README.md' } });
  assert.deepEqual(await run('github-push-tag-deleted.octokit.json'), { continue: true, extensions: { changed_files: '' } });
});

test('addChangedFiles: other events continue at once, and skip the owners check', async () => {
  const params = { addChangedFiles: { enabled: true }, githubOwners: { enabled: true, checkType: 'none' } };
  assert.deepEqual(await githubInterceptor(request('{}', { 'X-Github-Event': ['issue_comment'] }, params), deps()), { continue: true });
  const push = await githubInterceptor(request('{"repository":{"full_name":"a/b"},"commits":[]}', { 'X-Github-Event': ['push'] }, params), deps());
  assert.deepEqual(push, { continue: true, extensions: { changed_files: '' } });
});

test('what needs the GitHub API answers FailedPrecondition saying kiln cannot reach it', async () => {
  const pr = await githubInterceptor(request('{"number":1,"repository":{"full_name":"a/b"}}', { 'X-Github-Event': ['pull_request'] }, { addChangedFiles: { enabled: true } }), deps());
  assert.equal(pr.continue, false);
  assert.equal(pr.status?.code, CODES.FailedPrecondition);
  assert.match(pr.status!.message, /^error getting changed files: kiln cannot reach the GitHub API/);
  const owners = await githubInterceptor(request('{"sender":{"login":"x"}}', { 'X-Github-Event': ['pull_request'] }, { githubOwners: { enabled: true, checkType: 'none' } }), deps());
  assert.equal(owners.status?.code, CODES.FailedPrecondition);
  assert.match(owners.status!.message, /kiln cannot reach the GitHub API/);
});

test('githubOwners: token checks happen first; other events pass', async () => {
  assert.deepEqual(
    await githubInterceptor(request('{}', { 'X-Github-Event': ['pull_request'] }, { githubOwners: { enabled: true, checkType: 'orgMembers' } }), deps()),
    fail(CODES.FailedPrecondition, 'checkType is set to check org or repo members but no personalAccessToken was supplied'),
  );
  assert.deepEqual(
    await githubInterceptor(request('{}', { 'X-Github-Event': ['pull_request'] }, { githubOwners: { enabled: true, personalAccessToken: { secretName: 'x', secretKey: '' } } }), deps()),
    fail(CODES.FailedPrecondition, 'error getting github token: github interceptor personalAccessToken.secretKey is empty'),
  );
  assert.deepEqual(await githubInterceptor(request('{}', { 'X-Github-Event': ['push'] }, { githubOwners: { enabled: true } }), deps()), { continue: true });
});
