// The CEL interceptor beyond the vectors: filter outcomes and their statuses, compareSecret
// through deps.secret in the trigger's namespace, overlays into extensions, bad bodies and params.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { celInterceptor } from './cel.ts';
import { sjsonSet } from './sjson.ts';
import { CODES, type InterceptorDeps, type InterceptorRequest } from '../types.ts';

const asked: string[] = [];
const deps: InterceptorDeps = {
  secret: async (ns, name, key) => {
    asked.push(`${ns}/${name}/${key}`);
    return ns === 'team-a' && name === 'hook' && key === 'token' ? 's3cret' : undefined;
  },
};
const request = (params: Record<string, unknown>, body = '{"action":"opened","n":2}', header: Record<string, string[]> = {}): InterceptorRequest => ({
  body,
  header: { 'X-Github-Event': ['pull_request'], ...header },
  extensions: { earlier: 'yes' },
  interceptor_params: params,
  context: { event_url: 'http://el.example/hooks?x=1', event_id: 'e', trigger_id: 'namespaces/team-a/triggers/pr' },
});
const fail = (code: number, message: string) => ({ continue: false, status: { code, message } });

test('filter: exactly true continues, anything else is FailedPrecondition', async () => {
  assert.deepEqual(await celInterceptor(request({ filter: "body.action == 'opened'" }), deps), { continue: true });
  assert.deepEqual(await celInterceptor(request({ filter: "body.action == 'closed'" }), deps), fail(CODES.FailedPrecondition, "expression body.action == 'closed' did not return true"));
  assert.deepEqual(await celInterceptor(request({ filter: "'true'" }), deps), fail(CODES.FailedPrecondition, "expression 'true' did not return true"));
  assert.deepEqual(await celInterceptor(request({ filter: 'header.match("x-github-event", "pull_request") && requestURL.parseURL().query.x == "1"' }), deps), { continue: true });
});

test('evaluation errors are InvalidArgument with cel-go texts', async () => {
  assert.deepEqual(await celInterceptor(request({ filter: 'body.missing == 1.0' }), deps), fail(CODES.InvalidArgument, 'error evaluating cel expression: expression "body.missing == 1.0" failed to evaluate: no such key: missing'));
  const syntax = await celInterceptor(request({ filter: 'body.action ==' }), deps);
  assert.equal(syntax.status?.code, CODES.InvalidArgument);
  assert.match(syntax.status!.message, /^error evaluating cel expression: failed to parse expression "body.action =="/);
  assert.deepEqual(await celInterceptor(request({ overlays: [{ key: 'x', expression: 'nope(1)' }] }), deps), fail(CODES.InvalidArgument, `error evaluating cel expression: expression "nope(1)" check failed: ERROR: <input>:1:1: undeclared reference to 'nope' (in container '')`));
  assert.deepEqual(await celInterceptor(request({ overlays: [{ key: 'x', expression: 'body.n + 1' }] }), deps), fail(CODES.InvalidArgument, 'error evaluating cel expression: expression "body.n + 1" failed to evaluate: no such overload: _+_(double, int)'));
});

test('compareSecret reads the secret in the trigger namespace, whatever namespace it names', async () => {
  asked.length = 0;
  const header = { 'X-Secret-Token': ['s3cret'] };
  assert.deepEqual(await celInterceptor(request({ filter: "header.canonical('X-Secret-Token').compareSecret('token', 'hook')" }, '{}', header), deps), { continue: true });
  assert.deepEqual(await celInterceptor(request({ filter: "header.canonical('X-Secret-Token').compareSecret('token', 'hook', 'other-ns')" }, '{}', header), deps), { continue: true });
  assert.deepEqual(asked, ['team-a/hook/token', 'team-a/hook/token']);
  assert.deepEqual(
    await celInterceptor(request({ filter: "'guess'.compareSecret('token', 'hook')" }), deps),
    fail(CODES.FailedPrecondition, "expression 'guess'.compareSecret('token', 'hook') did not return true"),
  );
  const missing = await celInterceptor(request({ filter: "'x'.compareSecret('token', 'absent')" }), deps);
  assert.equal(missing.status?.code, CODES.InvalidArgument);
  assert.match(missing.status!.message, /failed to find secret/);
  // a secret named by an expression, and a short-circuit that hides the first lookup
  assert.deepEqual(await celInterceptor(request({ filter: "body.name.compareSecret('token', body.name) || 's3cret'.compareSecret('token', 'hook')" }, '{"name":"hook"}'), deps), { continue: true });
});

test('overlays: against the original event, into extensions, sjson keys', async () => {
  const res = await celInterceptor(request({
    filter: 'true',
    overlays: [
      { key: 'short', expression: "body.action.truncate(4)" },
      { key: 'nested.a.b', expression: 'body.n * 2.0' },
      { key: 'nested.c', expression: 'extensions.earlier' },
      { key: 'list', expression: '[1, 2u, 3.5, null, b"hi"]' },
      { key: 'short', expression: "has(extensions.short) ? 'saw overlay' : 'original'" },
      { key: 'json', expression: "{'z': 1, 'a': '<'}.marshalJSON()" },
    ],
  }), deps);
  assert.deepEqual(res, {
    continue: true,
    extensions: { short: 'original', nested: { a: { b: 4 }, c: 'yes' }, list: [1, 2, 3.5, null, 'aGk='], json: '{"a":"\\u003c","z":1}' },
  });
});

test('body: empty is {}, invalid JSON is InvalidArgument', async () => {
  assert.deepEqual(await celInterceptor(request({ filter: 'size(body) == 0' }, ''), deps), { continue: true });
  assert.deepEqual(await celInterceptor(request({ filter: 'true' }, '[1]'), deps), fail(CODES.InvalidArgument, 'error making the evaluation context: failed to parse the body as JSON: json: cannot unmarshal array into Go value of type map[string]interface {}'));
  assert.deepEqual(await celInterceptor(request({ filter: 'true' }, '{"a":}'), deps), fail(CODES.InvalidArgument, "error making the evaluation context: failed to parse the body as JSON: invalid character '}' looking for beginning of value"));
});

test('params: none is a pass with no extensions key; a bad filter type is InvalidArgument', async () => {
  const none = await celInterceptor(request({}), deps);
  assert.deepEqual(none, { continue: true });
  assert.ok(!('extensions' in none));
  const bad = await celInterceptor(request({ filter: 3 }), deps);
  assert.equal(bad.status?.code, CODES.InvalidArgument);
  assert.match(bad.status!.message, /^failed to parse interceptor params: /);
});

test('sjsonSet', () => {
  const o: Record<string, unknown> = { keep: 1 };
  sjsonSet(o, 'a.b', 1);
  sjsonSet(o, 'a.c', 2);
  sjsonSet(o, 'dotted\\.key', 3);
  sjsonSet(o, 'arr.1', 'x');
  sjsonSet(o, 'arr.-1', 'y');
  sjsonSet(o, 'obj.:0', 'z');
  sjsonSet(o, 'keep.deeper', 4);
  assert.deepEqual(o, { keep: { deeper: 4 }, a: { b: 1, c: 2 }, 'dotted.key': 3, arr: [null, 'x', 'y'], obj: { '0': 'z' } });
});
