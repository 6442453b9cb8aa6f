import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { httpError } from './expect.ts';
import type { ResourceTarget } from './paths.ts';
import { resolveResource, segmentsOf } from './paths.ts';
import { checkIdentity, checkWrite, parseFieldValidation, warningHeader } from './write.ts';

const target = (group: string, version: string, path: string): ResourceTarget => resolveResource(group, version, segmentsOf(path));
const TASK = target('tekton.dev', 'v1', 'namespaces/ns/tasks/build');
const TASK_V1BETA1 = target('tekton.dev', 'v1beta1', 'namespaces/ns/tasks/build');
const TASKS = target('tekton.dev', 'v1', 'namespaces/ns/tasks');
const NAMESPACE = target('', 'v1', 'namespaces/dev');
const SECRET = target('', 'v1', 'namespaces/ns/secrets/s');

const STEPS = { steps: [{ name: 's', image: 'alpine', script: 'echo hi' }] };


describe('parseFieldValidation', () => {
  const cases = [
    { name: 'absent is Warn', v: undefined, want: 'Warn' },
    { name: 'empty is Warn', v: '', want: 'Warn' },
    { name: 'Strict', v: 'Strict', want: 'Strict' },
    { name: 'Ignore', v: 'Ignore', want: 'Ignore' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(parseFieldValidation(c.v), c.want));
  it('400 for anything else (case matters)', () => {
    const e = httpError(() => parseFieldValidation('strict'));
    assert.equal(e.code, 400);
    assert.match(e.message, /fieldValidation: "strict" \(supported: Strict, Warn, Ignore\)/);
  });
});

describe('checkIdentity', () => {
  const fills: Array<{ name: string; raw: unknown; target: ResourceTarget; alsoAccept?: string[]; want: unknown }> = [
    {
      name: 'apiVersion, kind, name and namespace default to the URL',
      raw: { spec: {} }, target: TASK,
      want: { spec: {}, apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'build', namespace: 'ns' } },
    },
    {
      name: 'matching identity is kept; kind matches case-insensitively',
      raw: { apiVersion: 'tekton.dev/v1', kind: 'task', metadata: { name: 'build', namespace: 'ns', labels: { a: 'b' } } }, target: TASK,
      want: { apiVersion: 'tekton.dev/v1', kind: 'task', metadata: { name: 'build', namespace: 'ns', labels: { a: 'b' } } },
    },
    {
      name: 'a collection (POST) takes the body name',
      raw: { metadata: { name: 'other' } }, target: TASKS,
      want: { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'other', namespace: 'ns' } },
    },
    {
      name: 'a null metadata is {}',
      raw: { metadata: null }, target: TASKS,
      want: { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { namespace: 'ns' } },
    },
    {
      name: 'cluster-scoped kinds lose a namespace',
      raw: { metadata: { namespace: 'x' } }, target: NAMESPACE,
      want: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } },
    },
    {
      name: 'alsoAccept admits another served version',
      raw: { apiVersion: 'tekton.dev/v1beta1' }, target: TASK, alsoAccept: ['v1beta1'],
      want: { apiVersion: 'tekton.dev/v1beta1', kind: 'Task', metadata: { name: 'build', namespace: 'ns' } },
    },
  ];
  for (const c of fills) it(c.name, () => assert.deepEqual(checkIdentity(c.raw, c.target, c.alsoAccept), c.want));

  it('returns a copy (the body and its metadata are not mutated)', () => {
    const raw = { metadata: { labels: {} } };
    checkIdentity(raw, TASK);
    assert.deepEqual(raw, { metadata: { labels: {} } });
  });

  const mismatches: Array<{ name: string; raw: unknown; target: ResourceTarget; alsoAccept?: string[]; message: RegExp }> = [
    { name: 'not an object', raw: [1], target: TASK, message: /^the request body must be a Task object, got a list$/ },
    { name: 'null', raw: null, target: TASK, message: /got null$/ },
    { name: 'a string', raw: 'x', target: TASK, message: /got string$/ },
    { name: 'another kind', raw: { kind: 'Pipeline' }, target: TASK, message: /^the kind of the object \(Pipeline\) does not match the kind of the URL \(Task\)$/ },
    { name: 'a non-string kind', raw: { kind: 3 }, target: TASK, message: /the kind of the object \(3\)/ },
    { name: 'another version', raw: { apiVersion: 'tekton.dev/v1beta1' }, target: TASK, message: /^the API version in the data \(tekton\.dev\/v1beta1\) does not match the expected API version \(tekton\.dev\/v1\)$/ },
    { name: 'another group', raw: { apiVersion: 'example.com/v1' }, target: TASK, message: /API version in the data \(example\.com\/v1\)/ },
    { name: 'a core apiVersion for a tekton kind', raw: { apiVersion: 'v1' }, target: TASK, message: /API version in the data \(v1\)/ },
    { name: 'alsoAccept does not admit an unserved version', raw: { apiVersion: 'tekton.dev/v2' }, target: TASK, alsoAccept: ['v2'], message: /API version in the data \(tekton\.dev\/v2\)/ },
    { name: 'another name', raw: { metadata: { name: 'other' } }, target: TASK, message: /^the name of the object \(other\) does not match the name on the URL \(build\)$/ },
    { name: 'another namespace', raw: { metadata: { namespace: 'other' } }, target: TASK, message: /^the namespace of the provided object \(other\) does not match the namespace sent on the request \(ns\)$/ },
  ];
  for (const c of mismatches) {
    it(`400: ${c.name}`, () => {
      const e = httpError(() => checkIdentity(c.raw, c.target, c.alsoAccept));
      assert.equal(e.reason, 'BadRequest');
      assert.equal(e.code, 400);
      assert.match(e.message, c.message);
    });
  }
});

describe('checkWrite', () => {
  it('answers the converted, defaulted object with no warnings', () => {
    const r = checkWrite({ spec: STEPS }, TASK, { fieldValidation: 'Strict' });
    assert.deepEqual(r.warnings, []);
    assert.equal(r.object.apiVersion, 'tekton.dev/v1');
    assert.equal(r.object.kind, 'Task');
    assert.deepEqual(r.object.metadata, { name: 'build', namespace: 'ns' });
  });

  it('converts v1beta1 to v1, warning about what is dropped', () => {
    const raw = { apiVersion: 'tekton.dev/v1beta1', kind: 'Task', spec: { steps: [{ name: 's', image: 'x', ports: [{ containerPort: 1 }] }] } };
    const r = checkWrite(raw, TASK_V1BETA1, { fieldValidation: 'Strict' });
    assert.equal(r.object.apiVersion, 'tekton.dev/v1');
    assert.deepEqual(r.warnings, ['spec.steps[0].ports: field "ports" of a v1beta1 step has no tekton.dev/v1 equivalent and is ignored']);
  });

  const withUnknown = { spec: { steps: [{ name: 's', image: 'alpine', imagee: 'x' }], bogus: 1 } };
  const unknownMessages = ['unknown field "spec.steps[0].imagee"; did you mean "image"?', 'unknown field "spec.bogus"'];

  it('unknown fields under Strict: 400 naming every field', () => {
    const e = httpError(() => checkWrite(withUnknown, TASK, { fieldValidation: 'Strict' }));
    assert.equal(e.reason, 'BadRequest');
    assert.equal(e.code, 400);
    assert.equal(e.message, `strict decoding error: ${unknownMessages.join(', ')}`);
    assert.deepEqual(e.details, {
      name: 'build', group: 'tekton.dev', kind: 'Task',
      causes: [
        { reason: 'FieldValueInvalid', message: unknownMessages[0], field: 'spec.steps[0].imagee' },
        { reason: 'FieldValueInvalid', message: unknownMessages[1], field: 'spec.bogus' },
      ],
    });
  });

  const lenient: Array<{ name: string; fieldValidation: 'Warn' | 'Ignore'; warnings: string[] }> = [
    { name: 'unknown fields under Warn: dropped, one warning each', fieldValidation: 'Warn', warnings: unknownMessages },
    { name: 'unknown fields under Ignore: dropped silently', fieldValidation: 'Ignore', warnings: [] },
  ];
  for (const c of lenient) {
    it(c.name, () => {
      const r = checkWrite(withUnknown, TASK, { fieldValidation: c.fieldValidation });
      assert.deepEqual(r.warnings, c.warnings);
      assert.deepEqual(r.object.spec, { steps: [{ name: 's', image: 'alpine' }] });
    });
  }

  it('validation errors: 422 Invalid with every field path', () => {
    const raw = { metadata: { labels: { 'bad key!': 'x' } }, spec: { steps: [{ name: 'S S' }] } };
    const e = httpError(() => checkWrite(raw, TASK, { fieldValidation: 'Warn' }));
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.code, 422);
    assert.match(e.message, /^Task\.tekton\.dev "build" is invalid: \[metadata\.labels\.bad key!: .*, spec\.steps\[0\]\.image: missing field\(s\), spec\.steps\[0\]\.name: .*\]$/);
    assert.equal(e.details?.name, 'build');
    assert.equal(e.details?.kind, 'Task');
    assert.equal(e.details?.group, 'tekton.dev');
    assert.deepEqual(e.details?.causes?.map((c) => [c.reason, c.field]), [
      ['FieldValueInvalid', 'metadata.labels.bad key!'],
      ['FieldValueRequired', 'spec.steps[0].image'],
      ['FieldValueInvalid', 'spec.steps[0].name'],
    ]);
  });

  it('type errors are 422 too, under Strict, once unknown fields are none', () => {
    const e = httpError(() => checkWrite({ spec: { steps: [{ name: 's', image: 3 }] } }, TASK, { fieldValidation: 'Strict' }));
    assert.equal(e.code, 422);
    assert.deepEqual(e.details?.causes, [{ reason: 'FieldValueInvalid', message: 'invalid type: expected string, got number', field: 'spec.steps[0].image' }]);
  });

  it('a core kind is named without a group', () => {
    const e = httpError(() => checkWrite({ data: { 'bad key': 'x' } }, target('', 'v1', 'namespaces/ns/configmaps/cm'), { fieldValidation: 'Warn' }));
    assert.equal(e.code, 422);
    assert.match(e.message, /^ConfigMap "cm" is invalid: data\.bad key: invalid key name "bad key"/);
  });

  it('identity mismatches are 400 before validation', () => {
    const e = httpError(() => checkWrite({ kind: 'Pipeline', spec: { nonsense: true } }, TASK, { fieldValidation: 'Strict' }));
    assert.equal(e.code, 400);
    assert.match(e.message, /kind of the object \(Pipeline\)/);
  });

  it('Secret stringData folds into data (base64 of UTF-8) and is dropped', () => {
    const r = checkWrite({ data: { a: 'eA==', b: 'b2xk' }, stringData: { b: 'héllo', c: '' } }, SECRET, { fieldValidation: 'Strict' });
    assert.deepEqual(r.object.data, { a: 'eA==', b: Buffer.from('héllo', 'utf8').toString('base64'), c: '' });
    assert.equal(r.object.data && (r.object.data as Record<string, string>).b, 'aMOpbGxv');
    assert.equal(Object.hasOwn(r.object, 'stringData'), false);
  });

  it('Secret stringData alone makes data', () => {
    const r = checkWrite({ stringData: { token: 'abc' } }, SECRET, { fieldValidation: 'Strict' });
    assert.deepEqual(r.object.data, { token: 'YWJj' });
    assert.equal(Object.hasOwn(r.object, 'stringData'), false);
  });
});

describe('warningHeader', () => {
  const cases = [
    { name: 'plain', message: 'unknown field "spec.x"', want: '299 - "unknown field \\"spec.x\\""' },
    { name: 'backslashes escaped before quotes', message: 'a\\"b', want: '299 - "a\\\\\\"b"' },
    { name: 'non-printable and non-ASCII replaced', message: 'line\nnext\té€', want: '299 - "line?next???"' },
    { name: 'empty', message: '', want: '299 - ""' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(warningHeader(c.message), c.want));

  it('long messages are cut at 1024 characters', () => {
    const h = warningHeader('x'.repeat(2000));
    assert.equal(h, `299 - "${'x'.repeat(1021)}..."`);
    assert.equal(warningHeader('y'.repeat(1024)), `299 - "${'y'.repeat(1024)}"`);
  });

  it('the value is always one quoted string of printable ASCII', () => {
    for (const m of ['"', '\\', '\\\\"', '\r\n\u0000', 'ü"'.repeat(600)]) {
      const h = warningHeader(m);
      assert.match(h, /^299 - "([\x20-\x21\x23-\x5b\x5d-\x7e]|\\"|\\\\)*(\.\.\.)?"$/, JSON.stringify(m));
    }
  });
});
