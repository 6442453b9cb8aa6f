// Go-compatibility helpers: net/url parsing, regexp replacement, headers (encoding/json: ../gojson.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseURL } from './url.ts';
import { compileGoRegexp, goReplaceAll } from './regex.ts';
import { canonicalHeaders, headerGet } from '../interceptors/header.ts';

test('parseURL: the map Tekton builds from url.Parse', () => {
  assert.deepEqual(parseURL('https://user:password@site.example.com/path/to?query=search&query=results&e=a%20b+c#first'), {
    scheme: 'https',
    host: 'site.example.com',
    path: '/path/to',
    rawQuery: 'query=search&query=results&e=a%20b+c',
    fragment: 'first',
    query: { query: 'search,results', e: 'a b c' },
    queryStrings: { query: ['search', 'results'], e: ['a b c'] },
    auth: { username: 'user', password: 'password' },
  });
  assert.deepEqual(parseURL('/relative/p%2Fq?x'), { scheme: '', host: '', path: '/relative/p/q', rawQuery: 'x', fragment: '', query: { x: '' }, queryStrings: { x: [''] } });
  assert.equal(parseURL('HTTP://Host:8080').host, 'Host:8080');
  assert.equal(parseURL('HTTP://Host:8080').scheme, 'http');
  assert.throws(() => parseURL('http://h/%zz'), /invalid URL escape "%zz"/);
});

test("translate: Go's ReplaceAllString expansion", () => {
  const r = (s: string, re: string, t: string) => goReplaceAll(s, compileGoRegexp(re), t);
  assert.equal(r('This is $an Invalid5String', '[^a-z0-9]+', ''), 'hisisannvalid5tring');
  assert.equal(r('a-b', '(\\w)-(\\w)', '$2-$1'), 'b-a');
  assert.equal(r('a-b', '(\\w)-(\\w)', '$1x'), '', 'Go reads $1x as the group named 1x');
  assert.equal(r('a-b', '(\\w)-(\\w)', '${1}x'), 'ax');
  assert.equal(r('a-b', '(?P<first>\\w)-\\w', '${first}!$$'), 'a!$');
  assert.equal(r('ABC', '(?i)b', '_'), 'A_C');
  assert.equal(r('ab', 'b', '$'), 'a$');
});

test('Go header canonicalisation (the key itself: api/httpheader.test.ts)', () => {
  assert.deepEqual(canonicalHeaders({ 'x-a': ['1'], 'X-A': ['2'] }), { 'X-A': ['1', '2'] });
  assert.equal(headerGet({ 'X-Hub-Signature-256': ['s'] }, 'x-hub-signature-256'), 's');
  assert.equal(headerGet({}, 'X-Missing'), '');
});
