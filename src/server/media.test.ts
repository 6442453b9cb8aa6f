import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from './errors.ts';
import type { PatchType, ResponseForm } from './media.ts';
import {
  APPLY_PATCH, decodeJson, decodeObjectBody, decodePatchBody, decodeYaml, JSON_PATCH, MERGE_PATCH, parseAccept,
  parseMediaType, patchTypeOf, responseForm, STRATEGIC_PATCH,
} from './media.ts';

/** Asserts that `fn` throws an HttpError of `reason` whose message matches `message`. */
function assertHttpError(fn: () => unknown, reason: string, code: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof HttpError, `expected an HttpError, got ${String(e)}`);
    assert.equal(e.reason, reason);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('parseMediaType', () => {
  const cases = [
    { name: 'absent', header: undefined, want: { type: '', params: {} } },
    { name: 'plain', header: 'application/json', want: { type: 'application/json', params: {} } },
    { name: 'lower-cases the type and parameter names, trims', header: ' Application/JSON ; Charset=utf-8', want: { type: 'application/json', params: { charset: 'utf-8' } } },
    { name: 'keeps parameter values as given, unquoted', header: 'application/json;as=Table;v=v1;g="meta.k8s.io"', want: { type: 'application/json', params: { as: 'Table', v: 'v1', g: 'meta.k8s.io' } } },
    { name: 'ignores parameters without =', header: 'text/plain; flag; q=1', want: { type: 'text/plain', params: { q: '1' } } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseMediaType(c.header), c.want));
});

describe('parseAccept', () => {
  const cases = [
    { name: 'absent is */*', header: undefined, want: ['*/*'] },
    { name: 'blank is */*', header: '  ', want: ['*/*'] },
    { name: 'in the order given (q not weighed)', header: 'application/yaml;q=0.1, application/json;q=0.9', want: ['application/yaml', 'application/json'] },
    { name: 'empty parts dropped', header: 'application/json,,', want: ['application/json'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseAccept(c.header).map((m) => m.type), c.want));
});

describe('decodeJson', () => {
  it('decodes', () => assert.deepEqual(decodeJson('{"a":[1,null]}'), { a: [1, null] }));
  it('400 on a syntax error', () => assertHttpError(() => decodeJson('{"a":'), 'BadRequest', 400, /^the request body is not valid JSON: /));
});

describe('decodeYaml', () => {
  const ok: Array<{ name: string; text: string; want: unknown }> = [
    { name: 'a mapping', text: 'kind: Task\nspec:\n  steps:\n  - image: alpine\n', want: { kind: 'Task', spec: { steps: [{ image: 'alpine' }] } } },
    { name: 'JSON is YAML', text: '{"a": [1, "b"]}', want: { a: [1, 'b'] } },
    { name: 'aliases expand', text: 'a: &x {b: 1}\nc: *x\n', want: { a: { b: 1 }, c: { b: 1 } } },
    { name: 'an empty document is null', text: '# nothing\n', want: null },
    { name: 'non-finite numbers become null (plain JSON data)', text: 'a: .inf\n', want: { a: null } },
    { name: 'a leading document marker is one document', text: '---\na: 1\n', want: { a: 1 } },
  ];
  for (const c of ok) it(c.name, () => assert.deepEqual(decodeYaml(c.text), c.want));

  const bad: Array<{ name: string; text: string; message: RegExp }> = [
    { name: 'several documents', text: 'a: 1\n---\nb: 2\n', message: /^the request body is not valid YAML: .*multiple documents/ },
    { name: 'a syntax error', text: 'a: [1\n', message: /^the request body is not valid YAML: / },
    { name: 'duplicate keys', text: 'a: 1\na: 2\n', message: /^the request body is not valid YAML: Map keys must be unique/ },
    { name: 'a recursive alias', text: 'x: &a [*a]\n', message: /^the request body is not representable as JSON$/ },
    { name: 'an alias bomb', text: ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n'), message: /^the request body is not valid YAML: / },
  ];
  for (const c of bad) it(`400: ${c.name}`, () => assertHttpError(() => decodeYaml(c.text), 'BadRequest', 400, c.message));

  it('error messages are one line', () => {
    assert.throws(() => decodeYaml('a: [1\nb: {\n'), (e: unknown) => e instanceof HttpError && !e.message.includes('\n'));
  });
});

describe('decodeObjectBody', () => {
  const ok: Array<{ name: string; body: unknown; contentType: string | undefined; want: unknown }> = [
    { name: 'JSON', body: '{"a":1}', contentType: 'application/json', want: { a: 1 } },
    { name: 'JSON with a charset', body: '{"a":1}', contentType: 'application/json; charset=utf-8', want: { a: 1 } },
    { name: 'no Content-Type is JSON', body: '{"a":1}', contentType: undefined, want: { a: 1 } },
    { name: 'a Buffer', body: Buffer.from('{"é":1}', 'utf8'), contentType: 'application/json', want: { 'é': 1 } },
    { name: 'application/yaml', body: 'a: 1\n', contentType: 'application/yaml', want: { a: 1 } },
    { name: 'application/x-yaml', body: 'a: 1\n', contentType: 'application/x-yaml', want: { a: 1 } },
    { name: 'text/yaml', body: 'a: 1\n', contentType: 'text/yaml', want: { a: 1 } },
  ];
  for (const c of ok) it(c.name, () => assert.deepEqual(decodeObjectBody(c.body, c.contentType), c.want));

  const bad: Array<{ name: string; body: unknown; contentType: string | undefined; reason: string; code: number; message: RegExp }> = [
    { name: 'YAML sent as JSON', body: 'a: 1\n', contentType: 'application/json', reason: 'BadRequest', code: 400, message: /not valid JSON/ },
    { name: 'a YAML syntax error', body: 'a: [\n', contentType: 'application/yaml', reason: 'BadRequest', code: 400, message: /not valid YAML/ },
    { name: 'an empty body', body: '  \n', contentType: 'application/json', reason: 'BadRequest', code: 400, message: /^the request body is empty$/ },
    { name: 'no body', body: undefined, contentType: 'application/yaml', reason: 'BadRequest', code: 400, message: /^the request body is empty$/ },
    { name: 'protobuf', body: 'x', contentType: 'application/vnd.kubernetes.protobuf', reason: 'UnsupportedMediaType', code: 415, message: /accepted media types include: application\/json, application\/yaml \(got application\/vnd\.kubernetes\.protobuf\)/ },
    { name: 'an apply patch is not an object body', body: 'a: 1', contentType: APPLY_PATCH, reason: 'UnsupportedMediaType', code: 415, message: /got application\/apply-patch\+yaml/ },
  ];
  for (const c of bad) it(`${c.code}: ${c.name}`, () => assertHttpError(() => decodeObjectBody(c.body, c.contentType), c.reason, c.code, c.message));
});

describe('patchTypeOf and decodePatchBody', () => {
  const types: Array<{ name: string; contentType: string; want: PatchType }> = [
    { name: 'JSON patch', contentType: 'application/json-patch+json', want: JSON_PATCH },
    { name: 'merge patch with a charset', contentType: 'application/merge-patch+json; charset=UTF-8', want: MERGE_PATCH },
    { name: 'strategic merge patch', contentType: 'Application/Strategic-Merge-Patch+JSON', want: STRATEGIC_PATCH },
    { name: 'apply patch', contentType: 'application/apply-patch+yaml', want: APPLY_PATCH },
  ];
  for (const c of types) it(c.name, () => assert.equal(patchTypeOf(c.contentType), c.want));

  it('415 for anything else, listing the patch types', () => {
    assertHttpError(() => patchTypeOf('application/json'), 'UnsupportedMediaType', 415, /application\/json-patch\+json, application\/merge-patch\+json, application\/strategic-merge-patch\+json, application\/apply-patch\+yaml \(got application\/json\)/);
    assertHttpError(() => patchTypeOf(undefined), 'UnsupportedMediaType', 415, /\(got \(none\)\)/);
  });

  it('apply patches are YAML, the others JSON', () => {
    assert.deepEqual(decodePatchBody('a: 1\n', APPLY_PATCH), { a: 1 });
    assert.deepEqual(decodePatchBody('[{"op":"remove","path":"/a"}]', JSON_PATCH), [{ op: 'remove', path: '/a' }]);
    assertHttpError(() => decodePatchBody('a: 1\n', MERGE_PATCH), 'BadRequest', 400, /not valid JSON/);
    assertHttpError(() => decodePatchBody('', STRATEGIC_PATCH), 'BadRequest', 400, /empty/);
  });
});

describe('responseForm', () => {
  const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  const cases: Array<{ name: string; accept: string | undefined; want: ResponseForm }> = [
    { name: 'no Accept', accept: undefined, want: 'object' },
    { name: 'application/json', accept: 'application/json', want: 'object' },
    { name: '*/*', accept: '*/*', want: 'object' },
    { name: 'application/*', accept: 'application/*', want: 'object' },
    { name: "kubectl get's Accept", accept: KUBECTL_GET, want: 'table' },
    { name: 'a v1beta1 Table', accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', want: 'table' },
    { name: 'PartialObjectMetadata', accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1', want: 'partial' },
    { name: 'PartialObjectMetadataList', accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1', want: 'partial' },
    { name: 'protobuf first, JSON next', accept: 'application/vnd.kubernetes.protobuf, application/json', want: 'object' },
    { name: 'a Table of another group falls through to the next type', accept: 'application/json;as=Table;g=example.com;v=v1, application/json', want: 'object' },
    { name: 'an unknown as falls through', accept: 'application/json;as=Thing;g=meta.k8s.io;v=v1, */*', want: 'object' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(responseForm(c.accept), c.want));

  const unacceptable = [
    { name: 'protobuf only', accept: 'application/vnd.kubernetes.protobuf' },
    { name: 'YAML only', accept: 'application/yaml' },
    { name: 'a Table of an unsupported version only', accept: 'application/json;as=Table;g=meta.k8s.io;v=v2' },
    { name: 'a Table without its group only', accept: 'application/json;as=Table;v=v1' },
  ];
  for (const c of unacceptable) {
    it(`406: ${c.name}`, () => assertHttpError(() => responseForm(c.accept), 'NotAcceptable', 406, /none of the media types in the Accept header can be served: .*; use application\/json$/));
  }
});

it('a YAML body of mostly comment lines decodes through the file parser (comment runs coalesced: see api/yamlparse.test.ts)', () => {
  const body = `${'# a comment line\n'.repeat(200_000)}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`;
  assert.deepEqual(decodeYaml(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  assert.throws(() => decodeYaml('a: 1\n---\nb: 2\n'), /multiple documents/);
});
