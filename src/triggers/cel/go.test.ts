// Go-compatibility helpers: encoding/json output and errors, net/url parsing, regexp replacement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJsonMarshal, goJsonSyntaxError, goJsonUnmarshalObject } from './gojson.ts';
import { parseURL } from './url.ts';
import { compileGoRegexp, goReplaceAll } from './regex.ts';
import { canonicalHeaderKey, canonicalHeaders, headerGet } from '../interceptors/header.ts';

test('goJsonMarshal: sorted keys, HTML escaping, Go number forms', () => {
  assert.equal(goJsonMarshal({ b: 1, a: [true, null, 'x<y>&z'], c: { z: 1e21, y: 1e-7, x: 0.5, w: -0 } }), '{"a":[true,null,"x\\u003cy\\u003e\\u0026z"],"b":1,"c":{"w":-0,"x":0.5,"y":1e-7,"z":1e+21}}');
  assert.equal(goJsonMarshal('tab\t nl\n \u2028 \u0001 "q" \\'), '"tab\\t nl\\n \\u2028 \\u0001 \\"q\\" \\\\"');
  assert.throws(() => goJsonMarshal(NaN), /unsupported value: NaN/);
});

test("goJsonSyntaxError: encoding/json's messages", () => {
  const cases: [string, string | undefined][] = [
    ['{"a":1}', undefined],
    [' [1, 2.5e-3, "x\\u00e9", true, false, null] ', undefined],
    ['testing', "invalid character 'e' in literal true (expecting 'r')"],
    ['nul', 'unexpected end of JSON input'],
    ['', 'unexpected end of JSON input'],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":1}}', "invalid character '}' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
  ];
  for (const [text, want] of cases) assert.equal(goJsonSyntaxError(text), want, text);
  assert.deepEqual(goJsonUnmarshalObject('null'), { value: {} });
  assert.deepEqual(goJsonUnmarshalObject('"s"'), { error: 'json: cannot unmarshal string into Go value of type map[string]interface {}' });
  assert.deepEqual(goJsonUnmarshalObject('true'), { error: 'json: cannot unmarshal bool into Go value of type map[string]interface {}' });
});

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

test('Go header canonicalisation', () => {
  assert.equal(canonicalHeaderKey('x-github-event'), 'X-Github-Event');
  assert.equal(canonicalHeaderKey('X-GitHub-Event'), 'X-Github-Event');
  assert.equal(canonicalHeaderKey('content-TYPE'), 'Content-Type');
  assert.equal(canonicalHeaderKey('bad key'), 'bad key');
  assert.deepEqual(canonicalHeaders({ 'x-a': ['1'], 'X-A': ['2'] }), { 'X-A': ['1', '2'] });
  assert.equal(headerGet({ 'X-Hub-Signature-256': ['s'] }, 'x-hub-signature-256'), 's');
  assert.equal(headerGet({}, 'X-Missing'), '');
});
