// The GitLab and Bitbucket interceptors: eventTypes filters, token / signature checks, the
// signature-vectors.json deliveries for both, and the core interceptor table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gitlabInterceptor } from './gitlab.ts';
import { bitbucketInterceptor } from './bitbucket.ts';
import { CORE_INTERCEPTORS, coreInterceptor, githubInterceptor, celInterceptor } from './index.ts';
import { signBody } from './signature.ts';
import { CODES, type InterceptorDeps, type InterceptorRequest } from '../types.ts';

const CONFORMANCE = resolve(import.meta.dirname, '../../../../shared/conformance/triggers');
const skip = existsSync(CONFORMANCE) ? false : `conformance data not found at ${CONFORMANCE} (../shared is absent): skipping vector and payload-file cases`;

const SECRET_REF = { secretName: 'hook-secret', secretKey: 'token' };
const deps = (value = '1234567'): InterceptorDeps => ({
  secret: async (ns, name, key) => (ns === 'ci' && name === 'hook-secret' && key === 'token' ? value : undefined),
});
const request = (body: string, header: Record<string, string[]>, params: Record<string, unknown> = {}): InterceptorRequest => ({
  body,
  header,
  extensions: {},
  interceptor_params: params,
  context: { event_url: 'http://el/', event_id: 'e1', trigger_id: 'namespaces/ci/triggers/t' },
});
const fail = (code: number, message: string) => ({ continue: false, status: { code, message } });

interface Vector { origin: string; secret: string; body?: string; bodyFile?: string; header: string; value: string; headers?: Record<string, string> }
const vectors: Vector[] = skip ? [] : JSON.parse(readFileSync(resolve(CONFORMANCE, 'vectors/signature-vectors.json'), 'utf8')).vectors;

test('GitLab: the signature-vectors.json delivery (plain token, body from a payload file)', { skip }, async () => {
  const v = vectors.find((x) => x.header === 'X-GitLab-Token')!;
  const body = readFileSync(resolve(CONFORMANCE, 'vectors', v.bodyFile!), 'utf8');
  const header: Record<string, string[]> = { [v.header]: [v.value] };
  for (const [k, val] of Object.entries(v.headers ?? {})) header[k] = [val];
  const params = { secretRef: SECRET_REF, eventTypes: ['Push Hook'] };
  assert.deepEqual(await gitlabInterceptor(request(body, header, params), deps(v.secret)), { continue: true });
  assert.deepEqual(await gitlabInterceptor(request(body, header, params), deps('7654321')), fail(CODES.InvalidArgument, 'Invalid X-GitLab-Token'));
});

test('GitLab: token checks', async (t) => {
  const cases: { name: string; header: Record<string, string[]>; secret?: string; want: object }[] = [
    { name: 'right token', header: { 'X-Gitlab-Token': ['1234567'] }, want: { continue: true } },
    { name: 'lower-case header', header: { 'x-gitlab-token': ['1234567'] }, want: { continue: true } },
    { name: 'no token', header: {}, want: fail(CODES.InvalidArgument, 'no X-Gitlab-Token header set') },
    { name: 'wrong token', header: { 'X-Gitlab-Token': ['123456'] }, want: fail(CODES.InvalidArgument, 'Invalid X-GitLab-Token') },
    { name: 'forged: an HMAC is not a token', header: { 'X-Gitlab-Token': [signBody('{}', '1234567')] }, want: fail(CODES.InvalidArgument, 'Invalid X-GitLab-Token') },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => assert.deepEqual(await gitlabInterceptor(request('{}', c.header, { secretRef: SECRET_REF }), deps(c.secret)), c.want));
  }
  assert.deepEqual(await gitlabInterceptor(request('{}', {}, { secretRef: { secretName: 'x', secretKey: '' } }), deps()), fail(CODES.FailedPrecondition, 'gitlab interceptor secretRef.secretKey is empty'));
  const missing = await gitlabInterceptor(request('{}', { 'X-Gitlab-Token': ['1'] }, { secretRef: { secretName: 'absent', secretKey: 'token' } }), deps());
  assert.equal(missing.status?.code, CODES.FailedPrecondition);
  assert.match(missing.status!.message, /^error getting secret: /);
  assert.deepEqual(await gitlabInterceptor(request('{}', {}), deps()), { continue: true }, 'no secretRef: no token needed');
});

test('GitLab: eventTypes against X-Gitlab-Event', async () => {
  const run = (event: string | undefined, eventTypes: unknown) => gitlabInterceptor(request('{}', event === undefined ? {} : { 'X-Gitlab-Event': [event] }, { eventTypes }), deps());
  assert.deepEqual(await run('Push Hook', ['Push Hook', 'Tag Push Hook']), { continue: true });
  assert.deepEqual(await run('Merge Request Hook', ['Push Hook']), fail(CODES.FailedPrecondition, 'event type Merge Request Hook is not allowed'));
  assert.deepEqual(await run(undefined, ['Push Hook']), fail(CODES.FailedPrecondition, 'event type  is not allowed'));
  assert.deepEqual(await run('Push Hook', undefined), { continue: true });
  const bad = await run('Push Hook', 'Push Hook');
  assert.equal(bad.status?.code, CODES.InvalidArgument);
  assert.match(bad.status!.message, /^failed to parse interceptor params: /);
});

test('Bitbucket: the signature-vectors.json delivery (sha1 X-Hub-Signature)', { skip }, async () => {
  const v = vectors.find((x) => x.header === 'X-Hub-Signature')!;
  const header: Record<string, string[]> = { [v.header]: [v.value] };
  for (const [k, val] of Object.entries(v.headers ?? {})) header[k] = [val];
  const params = { secretRef: SECRET_REF, eventTypes: ['repo:refs_changed'] };
  assert.deepEqual(await bitbucketInterceptor(request(v.body!, header, params), deps(v.secret)), { continue: true });
  assert.deepEqual(await bitbucketInterceptor(request(v.body!, header, params), deps('wrong')), fail(CODES.FailedPrecondition, 'payload signature check failed'));
});

test('Bitbucket: signatures over the saved Server payload', { skip }, async (t) => {
  const body = readFileSync(resolve(CONFORMANCE, 'payloads/bitbucket-server-repo-refs_changed.go-playground.json'), 'utf8');
  const params = { secretRef: SECRET_REF };
  const cases: { name: string; header: Record<string, string[]>; body?: string; want: object }[] = [
    { name: 'sha256', header: { 'X-Hub-Signature': [signBody(body, '1234567', 'sha256')] }, want: { continue: true } },
    { name: 'sha1', header: { 'X-Hub-Signature': [signBody(body, '1234567', 'sha1')] }, want: { continue: true } },
    { name: 'unsigned', header: {}, want: fail(CODES.InvalidArgument, 'no X-Hub-Signature header set') },
    { name: 'signature in the GitHub header only', header: { 'X-Hub-Signature-256': [signBody(body, '1234567')] }, want: fail(CODES.InvalidArgument, 'no X-Hub-Signature header set') },
    { name: 'forged body', header: { 'X-Hub-Signature': [signBody(body, '1234567')] }, body: body.replace('gopher', 'attacker'), want: fail(CODES.FailedPrecondition, 'payload signature check failed') },
    { name: 'wrong secret', header: { 'X-Hub-Signature': [signBody(body, '7654321')] }, want: fail(CODES.FailedPrecondition, 'payload signature check failed') },
    { name: 'wrong prefix', header: { 'X-Hub-Signature': ['sha384=' + signBody(body, '1234567').slice(7)] }, want: fail(CODES.FailedPrecondition, 'unknown hash type prefix: "sha384"') },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => assert.deepEqual(await bitbucketInterceptor(request(c.body ?? body, c.header, params), deps()), c.want));
  }
});

test('Bitbucket: eventTypes against X-Event-Key', async () => {
  const run = (event: string, eventTypes: string[]) => bitbucketInterceptor(request('{}', { 'X-Event-Key': [event] }, { eventTypes }), deps());
  assert.deepEqual(await run('repo:refs_changed', ['repo:refs_changed', 'pr:opened']), { continue: true });
  assert.deepEqual(await run('repo:push', ['repo:push']), { continue: true });
  assert.deepEqual(await run('pullrequest:created', ['repo:push']), fail(CODES.FailedPrecondition, 'event type pullrequest:created is not allowed'));
  assert.deepEqual(await bitbucketInterceptor(request('{}', {}, { secretRef: { secretName: 'x', secretKey: '' } }), deps()), fail(CODES.FailedPrecondition, 'bitbucket interceptor secretRef.secretKey is empty'));
});

test('core interceptor table', () => {
  assert.deepEqual(Object.keys(CORE_INTERCEPTORS).sort(), ['bitbucket', 'cdevents', 'cel', 'github', 'gitlab']);
  assert.equal(coreInterceptor('github'), githubInterceptor);
  assert.equal(coreInterceptor('GitLab'), gitlabInterceptor);
  assert.equal(coreInterceptor('bitbucket'), bitbucketInterceptor);
  assert.equal(coreInterceptor('cel'), celInterceptor);
  assert.equal(coreInterceptor('slack'), undefined);
  assert.equal(coreInterceptor('toString'), undefined);
});
