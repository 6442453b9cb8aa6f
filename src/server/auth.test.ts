import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { authenticate, bearerOf, isPublicPath, OPERATOR, tokenMatches } from './auth.ts';
import type { User } from './authz.ts';
import { HttpError } from './errors.ts';

describe('isPublicPath', () => {
  const cases = [
    { name: '/healthz', path: '/healthz', want: true },
    { name: '/readyz', path: '/readyz', want: true },
    { name: '/livez with a trailing slash', path: '/livez/', want: true },
    { name: 'a webhook sink', path: '/hooks/github-listener', want: true },
    { name: 'a nested webhook path', path: '/hooks/ns/listener', want: true },
    { name: 'dots inside a segment are fine', path: '/hooks/a..b', want: true },
    { name: 'the /hooks/ prefix itself', path: '/hooks/', want: true },
    { name: '/hooks without a slash', path: '/hooks', want: false },
    { name: 'a lookalike prefix', path: '/hooksx/a', want: false },
    { name: 'a health check with more after it', path: '/healthz/x', want: false },
    { name: 'a lookalike health check', path: '/healthzz', want: false },
    { name: 'the API', path: '/apis/tekton.dev/v1/tasks', want: false },
    { name: 'the root', path: '/', want: false },
    { name: 'traversal out of /hooks/', path: '/hooks/../apis/tekton.dev/v1/tasks', want: false },
    { name: 'traversal at the end', path: '/hooks/x/..', want: false },
    { name: 'a dot segment', path: '/hooks/./x', want: false },
    { name: 'encoded dots', path: '/hooks/%2e%2e/apis', want: false },
    { name: 'encoded dots, upper case', path: '/hooks/%2E%2E/apis', want: false },
    { name: 'an encoded slash', path: '/hooks/..%2fapis', want: false },
    { name: 'a backslash', path: '/hooks/..\\apis', want: false },
    { name: 'a double slash before hooks', path: '//hooks/x', want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(isPublicPath(c.path), c.want));
});

describe('tokenMatches', () => {
  const cases = [
    { name: 'the token', header: 'Bearer s3cret', want: true },
    { name: 'the scheme is case-insensitive', header: 'bearer s3cret', want: true },
    { name: 'surrounding space is ignored', header: '  Bearer   s3cret  ', want: true },
    { name: 'another token', header: 'Bearer s3cre', want: false },
    { name: 'a longer token', header: 'Bearer s3cret!', want: false },
    { name: 'the token in another case', header: 'Bearer S3CRET', want: false },
    { name: 'no header', header: undefined, want: false },
    { name: 'an empty header', header: '', want: false },
    { name: 'the scheme only', header: 'Bearer ', want: false },
    { name: 'the token without a scheme', header: 's3cret', want: false },
    { name: 'another scheme', header: 'Basic s3cret', want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(tokenMatches(c.header, 's3cret'), c.want));

  it('compares in constant time: timingSafeEqual over SHA-256 digests, whatever the lengths', () => {
    const spy = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports(); // auth.ts imports timingSafeEqual by name: point that binding at the spy
    try {
      assert.equal(tokenMatches('Bearer x', 'a-much-longer-token-than-x'), false);
      assert.equal(tokenMatches(`Bearer ${'y'.repeat(500)}`, 'short'), false);
      assert.equal(tokenMatches('Bearer short', 'short'), true);
      assert.equal(spy.mock.callCount(), 3);
      for (const call of spy.mock.calls) {
        const [a, b] = call.arguments as unknown as [Buffer, Buffer];
        assert.deepEqual([a.length, b.length], [32, 32]);
      }
      assert.deepEqual(spy.mock.calls[2].arguments[1], crypto.createHash('sha256').update('short').digest());
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });
});

describe('authenticate', () => {
  const cases: Array<{ name: string; path: string; auth: string | undefined; token: string | undefined; ok: boolean }> = [
    { name: 'no token configured: anything goes', path: '/apis/tekton.dev/v1/tasks', auth: undefined, token: undefined, ok: true },
    { name: 'an empty token configured: anything goes', path: '/apis', auth: undefined, token: '', ok: true },
    { name: 'the right token', path: '/apis', auth: 'Bearer t', token: 't', ok: true },
    { name: 'a health check without a token', path: '/healthz', auth: undefined, token: 't', ok: true },
    { name: 'a webhook without a token', path: '/hooks/listener', auth: undefined, token: 't', ok: true },
    { name: 'no header', path: '/apis', auth: undefined, token: 't', ok: false },
    { name: 'the wrong token', path: '/api/v1', auth: 'Bearer u', token: 't', ok: false },
    { name: 'traversal through /hooks/ needs the token', path: '/hooks/../apis', auth: undefined, token: 't', ok: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.ok) {
        assert.doesNotThrow(() => authenticate(c.path, c.auth, c.token));
        return;
      }
      assert.throws(() => authenticate(c.path, c.auth, c.token), (e: unknown) => {
        assert.ok(e instanceof HttpError);
        assert.deepEqual([e.reason, e.code, e.message], ['Unauthorized', 401, 'Unauthorized']);
        return true;
      });
    });
  }
});

describe('authenticate with named tokens', () => {
  const ci: User = { name: 'ci', role: 'runner', namespaces: ['a'] };
  const asked: string[] = [];
  const lookup = (t: string) => {
    asked.push(t);
    return t === 'kiln_ci' ? ci : undefined;
  };
  const cases: Array<{ name: string; path: string; auth: string | undefined; token: string | undefined; want: User | undefined | 401; asks: string[] }> = [
    { name: 'the admin token is the operator, without a lookup', path: '/apis', auth: 'Bearer t', token: 't', want: OPERATOR, asks: [] },
    { name: 'a named token is its user', path: '/apis', auth: 'Bearer kiln_ci', token: 't', want: ci, asks: ['kiln_ci'] },
    { name: 'an unknown token is 401', path: '/apis', auth: 'Bearer kiln_nope', token: 't', want: 401, asks: ['kiln_nope'] },
    { name: 'no header is 401 without a lookup', path: '/apis', auth: undefined, token: 't', want: 401, asks: [] },
    { name: 'another scheme is 401 without a lookup', path: '/apis', auth: 'Basic kiln_ci', token: 't', want: 401, asks: [] },
    { name: 'no auth configured: nobody, nothing looked up', path: '/apis', auth: 'Bearer kiln_ci', token: undefined, want: undefined, asks: [] },
    { name: 'a public path: nobody, nothing looked up', path: '/healthz', auth: 'Bearer kiln_ci', token: 't', want: undefined, asks: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      asked.length = 0;
      if (c.want === 401) assert.throws(() => authenticate(c.path, c.auth, c.token, lookup), (e: unknown) => e instanceof HttpError && e.code === 401);
      else assert.equal(authenticate(c.path, c.auth, c.token, lookup), c.want);
      assert.deepEqual(asked, c.asks);
    });
  }

  it('the operator is an unrestricted admin whose name no token can have', () => {
    assert.deepEqual(OPERATOR, { name: 'kiln:operator', role: 'admin', namespaces: [] });
  });

  it('bearerOf', () => {
    assert.equal(bearerOf('Bearer  abc '), 'abc');
    assert.equal(bearerOf('basic abc'), undefined);
    assert.equal(bearerOf(undefined), undefined);
  });
});
