// Hundreds of malformed requests against one server: each gets its 4xx with a Status body (never
// a 500, never a crash), nothing is written, and the server still answers /healthz afterwards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { KObject } from '../api/meta.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createServer } from './server.ts';

const LIMIT = 64 * 1024;
const NS = '/apis/tekton.dev/v1/namespaces/default';
const CORE = '/api/v1/namespaces/default';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const MERGE = 'application/merge-patch+json';
const JSONP = 'application/json-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

interface Row {
  name: string;
  method: string;
  url: string;
  /** a string or Buffer is sent as is, anything else as JSON */
  body?: unknown;
  /** Content-Type (default application/json when there is a body; null: none at all) */
  type?: string | null;
  headers?: Record<string, string>;
  code: number;
  reason: string;
  /** exact (string) or matched (RegExp) */
  message?: string | RegExp;
}

/** Where each kind's collection and seeded object live, and a valid body for it. */
interface Target { kind: string; apiVersion: string; collection: string; object: string; valid: (name: string) => KObject }

const steps = [{ name: 's', image: 'alpine', script: 'echo' }];
const TARGETS: Target[] = [
  { kind: 'Task', apiVersion: 'tekton.dev/v1', collection: `${NS}/tasks`, object: `${NS}/tasks/t`, valid: (name) => ({ apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name }, spec: { steps } }) },
  { kind: 'TaskRun', apiVersion: 'tekton.dev/v1', collection: `${NS}/taskruns`, object: `${NS}/taskruns/tr`, valid: (name) => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name }, spec: { taskRef: { name: 't' } } }) },
  { kind: 'Pipeline', apiVersion: 'tekton.dev/v1', collection: `${NS}/pipelines`, object: `${NS}/pipelines/p`, valid: (name) => ({ apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name }, spec: { tasks: [{ name: 'a', taskRef: { name: 't' } }] } }) },
  { kind: 'PipelineRun', apiVersion: 'tekton.dev/v1', collection: `${NS}/pipelineruns`, object: `${NS}/pipelineruns/pr`, valid: (name) => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name }, spec: { pipelineRef: { name: 'p' } } }) },
  { kind: 'ConfigMap', apiVersion: 'v1', collection: `${CORE}/configmaps`, object: `${CORE}/configmaps/cm`, valid: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } } as KObject) },
  { kind: 'Secret', apiVersion: 'v1', collection: `${CORE}/secrets`, object: `${CORE}/secrets/sec`, valid: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { a: 'Yg==' } } as KObject) },
  { kind: 'ServiceAccount', apiVersion: 'v1', collection: `${CORE}/serviceaccounts`, object: `${CORE}/serviceaccounts/sa`, valid: (name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } }) },
  { kind: 'Namespace', apiVersion: 'v1', collection: '/api/v1/namespaces', object: '/api/v1/namespaces/default', valid: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) },
];

const BAD_JSON: Array<[string, string]> = [
  ['an unclosed object', '{"apiVersion": "v1"'],
  ['a trailing comma', '{"kind": "Task",}'],
  ['single quotes', "{'kind': 'Task'}"],
  ['an unquoted key', '{kind: "Task"}'],
  ['a comment', '{"kind": "Task" /* hi */}'],
  ['NaN', '{"a": NaN}'],
  ['two values', '{} {}'],
  ['a bare word', 'hello'],
  ['a control character in a string', '{"a": "\u0001"}'],
  ['a lone brace', '}'],
];
const BAD_YAML: Array<[string, string, RegExp]> = [
  ['an unclosed flow sequence', 'kind: Task\nspec: [a, b\n', /^the request body is not valid YAML: /],
  ['tab indentation', 'kind: Task\nmetadata:\n\tname: x\n', /^the request body is not valid YAML: /],
  ['a duplicate key', 'kind: Task\nkind: Pipeline\n', /^the request body is not valid YAML: Map keys must be unique/],
  ['bad indentation', 'kind: Task\n  metadata: x\n y: z\n', /^the request body is not valid YAML: /],
  ['an undefined alias', 'kind: *nothing\n', /^the request body is not valid YAML: /],
  ['an alias bomb', `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${'*a, '.repeat(10)}*a]\nc: &c [${'*b, '.repeat(10)}*b]\nd: [${'*c, '.repeat(10)}*c]\n`, /^the request body is not valid YAML: /],
  ['an unterminated quote', 'kind: "Task\n', /^the request body is not valid YAML: /],
  ['several documents', 'kind: Task\n---\nkind: Task\n', /^the request body is not valid YAML: Source contains multiple documents/],
  ['three documents', '---\na: 1\n---\nb: 2\n---\nc: 3\n', /^the request body is not valid YAML: Source contains multiple documents/],
];
const NOT_OBJECTS: Array<[string, string, string]> = [
  ['a JSON array', '[{"kind":"Task"}]', 'a list'],
  ['JSON null', 'null', 'null'],
  ['a JSON number', '42', 'number'],
  ['a JSON string', '"Task"', 'string'],
  ['JSON true', 'true', 'boolean'],
];

const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

function rows(): Row[] {
  const out: Row[] = [];
  const add = (r: Row) => out.push(r);

  for (const t of TARGETS) {
    for (const [what, text] of BAD_JSON) {
      add({ name: `POST ${t.kind}: bad JSON (${what})`, method: 'POST', url: t.collection, body: text, code: 400, reason: 'BadRequest', message: /^the request body is not valid JSON: / });
    }
    add({ name: `PUT ${t.kind}: bad JSON`, method: 'PUT', url: t.object, body: '{"kind":', code: 400, reason: 'BadRequest', message: /^the request body is not valid JSON: / });
    for (const [what, text, message] of BAD_YAML) {
      add({ name: `POST ${t.kind}: bad YAML (${what})`, method: 'POST', url: t.collection, body: text, type: 'application/yaml', code: 400, reason: 'BadRequest', message });
    }
    for (const [what, text, got] of NOT_OBJECTS) {
      const message = `the request body must be a ${t.kind} object, got ${got}`;
      add({ name: `POST ${t.kind}: ${what} as the body`, method: 'POST', url: t.collection, body: text, code: 400, reason: 'BadRequest', message });
      add({ name: `PUT ${t.kind}: ${what} as the body`, method: 'PUT', url: t.object, body: text, code: 400, reason: 'BadRequest', message });
    }
    add({ name: `POST ${t.kind}: a YAML list as the body`, method: 'POST', url: t.collection, body: '- a\n- b\n', type: 'text/yaml', code: 400, reason: 'BadRequest', message: `the request body must be a ${t.kind} object, got a list` });
    for (const [what, text] of [['empty', ''], ['only spaces', '   \n\t ']]) {
      add({ name: `POST ${t.kind}: an ${what} body`, method: 'POST', url: t.collection, body: text, code: 400, reason: 'BadRequest', message: 'the request body is empty' });
    }
    const other = t.kind === 'Task' ? 'Pipeline' : 'Task';
    add({ name: `POST ${t.kind}: kind ${other} in the body`, method: 'POST', url: t.collection, body: { ...t.valid('n'), kind: other }, code: 400, reason: 'BadRequest', message: `the kind of the object (${other}) does not match the kind of the URL (${t.kind})` });
    add({ name: `POST ${t.kind}: a kind that is not a string`, method: 'POST', url: t.collection, body: { ...t.valid('n'), kind: ['Task'] }, code: 400, reason: 'BadRequest', message: `the kind of the object (Task) does not match the kind of the URL (${t.kind})` });
    for (const av of ['example.com/v1', 'tekton.dev/v2', 'apps/v1', 'v2']) {
      add({ name: `POST ${t.kind}: apiVersion ${av}`, method: 'POST', url: t.collection, body: { ...t.valid('n'), apiVersion: av }, code: 400, reason: 'BadRequest', message: `the API version in the data (${av}) does not match the expected API version (${t.apiVersion})` });
    }
    add({ name: `PUT ${t.kind}: another name in the body`, method: 'PUT', url: t.object, body: t.valid('someone-else'), code: 400, reason: 'BadRequest', message: /^the name of the object \(someone-else\) does not match the name on the URL/ });
    if (t.kind !== 'Namespace') {
      add({ name: `POST ${t.kind}: another namespace in the body`, method: 'POST', url: t.collection, body: { ...t.valid('n'), metadata: { name: 'n', namespace: 'prod' } }, code: 400, reason: 'BadRequest', message: 'the namespace of the provided object (prod) does not match the namespace sent on the request (default)' });
    }
    add({ name: `POST ${t.kind}: an unknown field under Strict`, method: 'POST', url: `${t.collection}?fieldValidation=Strict`, body: { ...t.valid('n'), bogusField: 1 }, code: 400, reason: 'BadRequest', message: 'strict decoding error: unknown field "bogusField"' });
    add({ name: `POST ${t.kind}: an unknown metadata field under Strict`, method: 'POST', url: `${t.collection}?fieldValidation=Strict`, body: { ...t.valid('n'), metadata: { name: 'n', colour: 'red' } }, code: 400, reason: 'BadRequest', message: 'strict decoding error: unknown field "metadata.colour"' });
    add({ name: `POST ${t.kind}: an invalid name`, method: 'POST', url: t.collection, body: t.valid('Not_A_Name'), code: 422, reason: 'Invalid', message: /"Not_A_Name" is invalid: metadata\.name: / });
    add({ name: `POST ${t.kind}: no name at all`, method: 'POST', url: t.collection, body: { ...t.valid(''), metadata: {} }, code: 422, reason: 'Invalid', message: /is invalid: .*metadata\.name: missing field\(s\)/ });
    add({ name: `POST ${t.kind}: labels that are not strings`, method: 'POST', url: t.collection, body: { ...t.valid('n'), metadata: { name: 'n', labels: { a: 1 } } }, code: 422, reason: 'Invalid', message: /metadata\.labels\.a: invalid type/ });
    add({ name: `POST ${t.kind}: metadata that is a string`, method: 'POST', url: t.collection, body: { ...t.valid('n'), metadata: 'n' }, code: 422, reason: 'Invalid', message: /metadata: invalid type: expected object, got string/ });
    add({ name: `POST ${t.kind}: a duplicate of the seeded object`, method: 'POST', url: t.collection, body: t.valid(t.object.split('/').pop()!), code: 409, reason: 'AlreadyExists', message: /already exists$/ });
    add({ name: `PUT ${t.kind}: a stale resourceVersion`, method: 'PUT', url: t.object, body: { ...t.valid(t.object.split('/').pop()!), metadata: { name: t.object.split('/').pop(), resourceVersion: '1' } }, code: 409, reason: 'Conflict', message: /^Operation cannot be fulfilled on .*: the object has been modified; please apply your changes to the latest version and try again$/ });
    add({ name: `PATCH ${t.kind}: a stale resourceVersion`, method: 'PATCH', url: t.object, body: { metadata: { resourceVersion: '1', labels: { a: 'b' } } }, type: MERGE, code: 409, reason: 'Conflict' });
    add({ name: `PUT ${t.kind}: an object that does not exist`, method: 'PUT', url: t.object.replace(/[^/]+$/, 'missing'), body: t.valid('missing'), code: 404, reason: 'NotFound', message: /"missing" not found$/ });
    add({ name: `PATCH ${t.kind}: an object that does not exist`, method: 'PATCH', url: t.object.replace(/[^/]+$/, 'missing'), body: { metadata: { labels: { a: 'b' } } }, type: MERGE, code: 404, reason: 'NotFound', message: /"missing" not found$/ });
    add({ name: `DELETE ${t.kind}: an object that does not exist`, method: 'DELETE', url: t.object.replace(/[^/]+$/, 'missing'), code: 404, reason: 'NotFound', message: /"missing" not found$/ });
    add({ name: `GET ${t.kind}: an object that does not exist`, method: 'GET', url: t.object.replace(/[^/]+$/, 'missing'), code: 404, reason: 'NotFound', message: /"missing" not found$/ });
    add({ name: `POST ${t.kind}: a body over the limit`, method: 'POST', url: t.collection, body: JSON.stringify({ ...t.valid('big'), metadata: { name: 'big', annotations: { a: 'x'.repeat(LIMIT) } } }), code: 413, reason: 'RequestEntityTooLarge', message: 'the request body is too large' });
    add({ name: `PUT ${t.kind}: a body over the limit`, method: 'PUT', url: t.object, body: 'x'.repeat(LIMIT + 1), code: 413, reason: 'RequestEntityTooLarge' });
    add({ name: `PATCH ${t.kind}: a body over the limit`, method: 'PATCH', url: t.object, body: `{"a":"${'x'.repeat(LIMIT)}"}`, type: MERGE, code: 413, reason: 'RequestEntityTooLarge' });
    add({ name: `POST ${t.kind}: text/plain`, method: 'POST', url: t.collection, body: JSON.stringify(t.valid('n')), type: 'text/plain', code: 415, reason: 'UnsupportedMediaType', message: /^the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml \(got text\/plain\)$/ });
    add({ name: `POST ${t.kind}: protobuf`, method: 'POST', url: t.collection, body: '\x00\x01', type: 'application/vnd.kubernetes.protobuf', code: 415, reason: 'UnsupportedMediaType' });
    add({ name: `POST ${t.kind}: a patch type on create`, method: 'POST', url: t.collection, body: JSON.stringify(t.valid('n')), type: MERGE, code: 415, reason: 'UnsupportedMediaType' });
    add({ name: `PATCH ${t.kind}: application/json is no patch type`, method: 'PATCH', url: t.object, body: {}, code: 415, reason: 'UnsupportedMediaType', message: /accepted media types include: application\/json-patch\+json, / });
    add({ name: `PATCH ${t.kind}: no Content-Type at all`, method: 'PATCH', url: t.object, body: '{}', type: null, code: 415, reason: 'UnsupportedMediaType', message: /\(got \(none\)\)$/ });
    add({ name: `POST ${t.kind}: YAML without a Content-Type is read as JSON`, method: 'POST', url: t.collection, body: 'kind: Task\n', type: null, code: 400, reason: 'BadRequest', message: /^the request body is not valid JSON: / });
    add({ name: `POST ${t.kind}: nested 5000 levels deep`, method: 'POST', url: t.collection, body: `{"metadata":{"name":"deep"},"spec":${deep(5000)}}`, code: 400, reason: 'BadRequest', message: 'the request body is nested more than 1000 levels deep' });
    add({ name: `PATCH ${t.kind}: a merge patch nested 5000 levels deep`, method: 'PATCH', url: t.object, body: `{"spec":${deep(5000)}}`, type: MERGE, code: 400, reason: 'BadRequest', message: 'the request body is nested more than 1000 levels deep' });
    add({ name: `POST ${t.kind}: invalid UTF-8`, method: 'POST', url: t.collection, body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), code: 400, reason: 'BadRequest', message: /^the request body is not valid JSON: / });
    add({ name: `POST ${t.kind}: fieldValidation=Bogus`, method: 'POST', url: `${t.collection}?fieldValidation=Bogus`, body: t.valid('n'), code: 400, reason: 'BadRequest', message: 'invalid or unsupported value for query parameter fieldValidation: "Bogus" (supported: Strict, Warn, Ignore)' });
    add({ name: `POST ${t.kind}: dryRun=Maybe`, method: 'POST', url: `${t.collection}?dryRun=Maybe`, body: t.valid('n'), code: 400, reason: 'BadRequest', message: 'invalid dryRun value "Maybe": only "All" is supported' });
    add({ name: `DELETE ${t.kind}: dryRun=Maybe`, method: 'DELETE', url: `${t.object}?dryRun=Maybe`, code: 400, reason: 'BadRequest', message: 'invalid dryRun value "Maybe": only "All" is supported' });
    add({ name: `DELETE ${t.kind}: a wrong uid precondition`, method: 'DELETE', url: t.object, body: { preconditions: { uid: 'not-it' } }, code: 409, reason: 'Conflict', message: /^Precondition failed: UID in precondition: not-it, UID in object meta: / });
    add({ name: `POST ${t.kind}: an object name`, method: 'POST', url: t.object, body: t.valid('n'), code: 405, reason: 'MethodNotAllowed', message: /^the server does not allow this method on the requested resource: POST / });
    add({ name: `OPTIONS ${t.kind}`, method: 'OPTIONS', url: t.object, code: 405, reason: 'MethodNotAllowed' });
    add({ name: `GET ${t.kind}: only protobuf acceptable`, method: 'GET', url: t.collection, headers: { accept: 'application/vnd.kubernetes.protobuf' }, code: 406, reason: 'NotAcceptable' });
    add({ name: `GET ${t.kind}: an unknown subresource`, method: 'GET', url: `${t.object}/scale`, code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
  }

  // collections: verbs they do not serve, selectors and watch parameters
  const collections = TARGETS.filter((t) => t.kind !== 'Namespace').map((t) => t.collection);
  for (const c of collections) {
    add({ name: `PUT on collection ${c}`, method: 'PUT', url: c, body: {}, code: 405, reason: 'MethodNotAllowed' });
    add({ name: `PATCH on collection ${c}`, method: 'PATCH', url: c, body: {}, type: MERGE, code: 405, reason: 'MethodNotAllowed' });
  }
  const badLabelSelectors = [
    'a in (b', 'a in', 'a in ()', '!', '!!a', 'a>b', 'a<', '-a', 'a b', '=a', 'a=b=c', 'a,', ',a', 'a=(b)', 'x/y/z', `${'k'.repeat(64)}`, `a=${'v'.repeat(64)}`, 'a notin b', 'a!b', 'a in (b,c', 'Ünïcode',
  ];
  for (const s of badLabelSelectors) {
    const q = `labelSelector=${encodeURIComponent(s)}`;
    add({ name: `list: label selector ${JSON.stringify(s)}`, method: 'GET', url: `${NS}/pipelineruns?${q}`, code: 400, reason: 'BadRequest', message: /^unable to parse requirement: invalid selector / });
    add({ name: `watch: label selector ${JSON.stringify(s)}`, method: 'GET', url: `${NS}/pipelineruns?watch=true&timeoutSeconds=1&${q}`, code: 400, reason: 'BadRequest', message: /^unable to parse requirement: invalid selector / });
    add({ name: `deletecollection: label selector ${JSON.stringify(s)}`, method: 'DELETE', url: `${CORE}/configmaps?${q}`, code: 400, reason: 'BadRequest', message: /^unable to parse requirement: invalid selector / });
  }
  const badFieldSelectors: Array<[string, RegExp]> = [
    ['spec.x=1', /^field label not supported: spec\.x$/], ['status.phase=Running', /^field label not supported/], ['metadata.name', /^invalid field selector/],
    ['=x', /^invalid field selector/], ['metadata.name=a=b', /^invalid field selector/], ['metadata.name!', /^invalid field selector/], ['metadata.labels=x', /^field label not supported/],
  ];
  for (const [s, message] of badFieldSelectors) {
    const q = `fieldSelector=${encodeURIComponent(s)}`;
    add({ name: `list: field selector ${JSON.stringify(s)}`, method: 'GET', url: `/apis/tekton.dev/v1/taskruns?${q}`, code: 400, reason: 'BadRequest', message });
    add({ name: `watch: field selector ${JSON.stringify(s)}`, method: 'GET', url: `${CORE}/secrets?watch=1&timeoutSeconds=1&${q}`, code: 400, reason: 'BadRequest', message });
  }
  for (const v of ['-1', 'abc', '1.5', '1e3', ' ', '0x10', 'Infinity']) {
    add({ name: `watch: timeoutSeconds=${JSON.stringify(v)}`, method: 'GET', url: `${NS}/tasks?watch=true&timeoutSeconds=${encodeURIComponent(v)}`, code: 400, reason: 'BadRequest', message: `invalid timeoutSeconds ${JSON.stringify(v)}: expected a non-negative integer` });
  }
  for (const v of ['abc', '-1', '1.0', '1e3', '0x10', ' 5']) {
    add({ name: `watch: resourceVersion=${JSON.stringify(v)}`, method: 'GET', url: `${NS}/tasks?watch=true&timeoutSeconds=1&resourceVersion=${encodeURIComponent(v)}`, code: 400, reason: 'BadRequest', message: `invalid resourceVersion ${JSON.stringify(v)}: must be a decimal number` });
  }
  add({ name: 'watch: a resourceVersion no longer remembered', method: 'GET', url: `${NS}/tasks?watch=true&timeoutSeconds=1&resourceVersion=1`, code: 410, reason: 'Gone', message: /^too old resource version: 1 \(\d+\)$/ });
  for (const v of ['Bogus', 'none', 'object', '1']) {
    add({ name: `Table: includeObject=${v}`, method: 'GET', url: `${NS}/tasks?includeObject=${v}`, headers: { accept: TABLE }, code: 400, reason: 'BadRequest', message: `invalid includeObject "${v}" (None, Metadata or Object)` });
  }
  for (const accept of ['text/html', 'application/xml', 'application/json;as=Table;v=v9;g=meta.k8s.io', 'application/json;as=Table;g=apps', 'image/png, text/plain']) {
    add({ name: `Accept: ${accept}`, method: 'GET', url: `${NS}/tasks/t`, headers: { accept }, code: 406, reason: 'NotAcceptable' });
  }
  for (const [param, value] of [['fieldValidation', 'Bogus'], ['fieldValidation', 'strict'], ['dryRun', 'Maybe'], ['dryRun', 'true']] as const) {
    const message = param === 'dryRun' ? `invalid dryRun value "${value}": only "All" is supported` : /^invalid or unsupported value for query parameter fieldValidation/;
    add({ name: `PUT: ${param}=${value}`, method: 'PUT', url: `${NS}/tasks/t?${param}=${value}`, body: TARGETS[0].valid('t'), code: 400, reason: 'BadRequest', message });
    add({ name: `PATCH: ${param}=${value}`, method: 'PATCH', url: `${NS}/tasks/t?${param}=${value}`, body: { metadata: { labels: { a: 'b' } } }, type: MERGE, code: 400, reason: 'BadRequest', message });
  }

  // JSON patches that are garbage (400) or fail against the object (422)
  const jsonPatches: Array<[string, unknown, number, string | RegExp]> = [
    ['an object instead of a list', { op: 'add', path: '/a', value: 1 }, 400, 'the patch is malformed: a JSON patch must be a list of operations'],
    ['a list of numbers', [1, 2], 400, 'the patch is malformed: operation 0: must be an object'],
    ['a missing op', [{ path: '/a', value: 1 }], 400, 'the patch is malformed: operation 0: unknown op undefined'],
    ['an unknown op', [{ op: 'merge', path: '/a', value: 1 }], 400, 'the patch is malformed: operation 0: unknown op "merge"'],
    ['an op that is not a string', [{ op: 1, path: '/a' }], 400, 'the patch is malformed: operation 0: unknown op 1'],
    ['a missing path', [{ op: 'remove' }], 400, 'the patch is malformed: operation 0 (remove): missing "path"'],
    ['a path without a leading slash', [{ op: 'remove', path: 'spec' }], 400, 'the patch is malformed: invalid JSON pointer "spec": must start with "/"'],
    ['a bad escape', [{ op: 'remove', path: '/spec/~2' }], 400, /^the patch is malformed: invalid JSON pointer "\/spec\/~2": bad escape/],
    ['add without value', [{ op: 'add', path: '/spec/x' }], 400, 'the patch is malformed: operation 0 (add): missing "value"'],
    ['replace without value', [{ op: 'replace', path: '/spec' }], 400, 'the patch is malformed: operation 0 (replace): missing "value"'],
    ['test without value', [{ op: 'test', path: '/spec' }], 400, 'the patch is malformed: operation 0 (test): missing "value"'],
    ['move without from', [{ op: 'move', path: '/spec/x' }], 400, 'the patch is malformed: operation 0 (move): missing "from"'],
    ['copy with a bad from', [{ op: 'copy', from: 'x', path: '/spec/x' }], 400, 'the patch is malformed: invalid JSON pointer "x": must start with "/"'],
    ['a later bad op spoils the earlier ones', [{ op: 'add', path: '/metadata/labels', value: {} }, { op: 'nope', path: '/' }], 400, 'the patch is malformed: operation 1: unknown op "nope"'],
    ['a failing test', [{ op: 'test', path: '/metadata/name', value: 'other' }], 422, 'the patch cannot be applied: test failed: /metadata/name is not "other"'],
    ['a test of a missing path', [{ op: 'test', path: '/spec/none', value: 1 }], 422, 'the patch cannot be applied: /spec/none: path does not exist'],
    ['removing a missing path', [{ op: 'remove', path: '/spec/none' }], 422, 'the patch cannot be applied: /spec/none: path does not exist'],
    ['replacing a missing path', [{ op: 'replace', path: '/spec/none', value: 1 }], 422, 'the patch cannot be applied: /spec/none: path does not exist'],
    ['adding under a missing parent', [{ op: 'add', path: '/a/b/c', value: 1 }], 422, 'the patch cannot be applied: /a/b/c: path does not exist'],
    ['an index out of range', [{ op: 'add', path: '/spec/steps/5', value: {} }], 422, 'the patch cannot be applied: /spec/steps/5: index 5 out of range'],
    ['a non-numeric index', [{ op: 'remove', path: '/spec/steps/first' }], 422, 'the patch cannot be applied: /spec/steps/first: "first" is not an array index'],
    ['a leading-zero index', [{ op: 'remove', path: '/spec/steps/00' }], 422, 'the patch cannot be applied: /spec/steps/00: "00" is not an array index'],
    ['removing the whole document', [{ op: 'remove', path: '' }], 422, 'the patch cannot be applied: cannot remove the whole document'],
    ['moving into its own child', [{ op: 'move', from: '/spec', path: '/spec/x' }], 422, 'the patch cannot be applied: cannot move /spec into its own child /spec/x'],
    ['replacing the whole object with a number', [{ op: 'replace', path: '', value: 5 }], 422, 'the patch leaves no object behind'],
    ['replacing the whole object with a list', [{ op: 'replace', path: '', value: [] }], 422, 'the patch leaves no object behind'],
    ['adding under __proto__', [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }], 422, 'the patch cannot be applied: /__proto__/polluted: path does not exist'],
    ['adding under constructor/prototype', [{ op: 'add', path: '/constructor/prototype/polluted', value: 'yes' }], 422, 'the patch cannot be applied: /constructor/prototype/polluted: path does not exist'],
    ['removing the required image', [{ op: 'remove', path: '/spec/steps/0/image' }], 422, /^Task\.tekton\.dev "t" is invalid: .*spec\.steps\[0\]\.image/],
    ['changing the kind', [{ op: 'replace', path: '/kind', value: 'Pipeline' }], 400, 'the kind of the object (Pipeline) does not match the kind of the URL (Task)'],
    ['changing the apiVersion', [{ op: 'replace', path: '/apiVersion', value: 'example.com/v1' }], 400, 'the API version in the data (example.com/v1) does not match the expected API version (tekton.dev/v1)'],
    ['changing the name', [{ op: 'replace', path: '/metadata/name', value: 'x' }], 400, 'the name of the object (x) does not match the name on the URL (t)'],
    ['changing the namespace', [{ op: 'replace', path: '/metadata/namespace', value: 'x' }], 400, 'the namespace of the provided object (x) does not match the namespace sent on the request (default)'],
    ['pinning a stale resourceVersion', [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }], 409, /^Operation cannot be fulfilled on tasks\.tekton\.dev "t"/],
    ['nesting 2000 levels deep', [{ op: 'add', path: '/spec/x', value: JSON.parse(deep(2000)) }], 400, 'the request body is nested more than 1000 levels deep'],
  ];
  const reasonOf: Record<number, string> = { 400: 'BadRequest', 409: 'Conflict', 422: 'Invalid' };
  for (const [what, patch, code, message] of jsonPatches) {
    add({ name: `json patch: ${what}`, method: 'PATCH', url: `${NS}/tasks/t`, body: patch, type: JSONP, code, reason: reasonOf[code], message });
  }
  add({ name: 'json patch: not JSON', method: 'PATCH', url: `${NS}/tasks/t`, body: '[{op: add}]', type: JSONP, code: 400, reason: 'BadRequest', message: /^the request body is not valid JSON: / });
  add({ name: 'json patch: empty', method: 'PATCH', url: `${NS}/tasks/t`, body: '', type: JSONP, code: 400, reason: 'BadRequest', message: 'the request body is empty' });
  add({ name: 'json patch: growing the object past the depth limit', method: 'PATCH', url: `${NS}/tasks/t`, body: [{ op: 'add', path: '/spec/steps/0/x', value: JSON.parse(deep(998)) }], type: JSONP, code: 400, reason: 'BadRequest', message: 'the patched object would be nested more than 1000 levels deep (operation 0, add /spec/steps/0/x)' });
  // bounded while applying: operations counted, every copy measured before it is made
  const doubling = [{ op: 'add', path: '/spec/x', value: ['x'.repeat(100)] }, ...Array.from({ length: 40 }, () => ({ op: 'copy', from: '/spec/x', path: '/spec/x/-' }))];
  add({ name: 'json patch: copies doubling a value past the body limit', method: 'PATCH', url: `${NS}/tasks/t`, body: doubling, type: JSONP, code: 400, reason: 'BadRequest', message: `the JSON patch copies more than ${LIMIT} bytes in all, the request body limit (operation 10, copy /spec/x/-)` });
  const copies = [{ op: 'add', path: '/spec/x', value: 'x'.repeat(20_000) }, ...Array.from({ length: 10 }, () => [{ op: 'copy', from: '/spec/x', path: '/spec/y' }, { op: 'remove', path: '/spec/y' }]).flat()];
  add({ name: 'json patch: copying more than the body limit in all', method: 'PATCH', url: `${NS}/tasks/t`, body: copies, type: JSONP, code: 400, reason: 'BadRequest', message: `the JSON patch copies more than ${LIMIT} bytes in all, the request body limit (operation 7, copy /spec/y)` });
  const twice = [{ op: 'add', path: '/spec/x', value: 'x'.repeat(30_000) }, { op: 'copy', from: '/spec/x', path: '/spec/y' }, { op: 'copy', from: '/spec/x', path: '/spec/z' }];
  add({ name: 'json patch: copies growing the object past the body limit', method: 'PATCH', url: `${NS}/tasks/t`, body: twice, type: JSONP, code: 400, reason: 'BadRequest', message: `the patched object would be larger than ${LIMIT} bytes, the request body limit (operation 2, copy /spec/z)` });

  // merge, strategic and apply patches
  const otherPatches: Array<[string, string, unknown, number, string | RegExp]> = [
    ['merge: not JSON', MERGE, '{spec:', 400, /^the request body is not valid JSON: /],
    ['merge: a number replaces the object', MERGE, '5', 422, 'the patch leaves no object behind'],
    ['merge: a list replaces the object', MERGE, '[]', 422, 'the patch leaves no object behind'],
    ['merge: changing the kind', MERGE, { kind: 'Pipeline' }, 400, 'the kind of the object (Pipeline) does not match the kind of the URL (Task)'],
    ['merge: removing the kind is filled from the URL, removing the steps is invalid', MERGE, { kind: null, spec: { steps: null } }, 422, /spec\.steps: missing field/],
    ['merge: changing the name', MERGE, { metadata: { name: 'other' } }, 400, 'the name of the object (other) does not match the name on the URL (t)'],
    ['merge: steps that are not a list', MERGE, { spec: { steps: 'echo' } }, 422, /spec\.steps: invalid type/],
    ['merge: an unknown field under Strict', MERGE, { spec: { whatever: 1 } }, 400, 'strict decoding error: unknown field "spec.whatever"'],
    ['merge: a __proto__ key under Strict', MERGE, '{"spec":{"__proto__":{"polluted":true}}}', 400, 'strict decoding error: unknown field "spec.__proto__"'],
    ['strategic: a list', SMP, [], 400, 'the patch is malformed: a strategic merge patch must be an object'],
    ['strategic: a string', SMP, '"x"', 400, 'the patch is malformed: a strategic merge patch must be an object'],
    ['strategic: an unknown $patch directive', SMP, { spec: { $patch: 'explode' } }, 400, 'the patch is malformed: unknown $patch directive "explode"'],
    ['strategic: $retainKeys not a list', SMP, { spec: { $retainKeys: 'steps' } }, 400, 'the patch is malformed: $retainKeys must be a list of strings'],
    ['strategic: $deleteFromPrimitiveList not a list', SMP, { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } }, 400, 'the patch is malformed: $deleteFromPrimitiveList/finalizers must be a list'],
    ['strategic: deleting spec', SMP, { spec: { $patch: 'delete' } }, 422, /spec: missing field|spec\.steps: missing field/],
    ['apply: a YAML list', APPLY, '- a\n- b\n', 400, 'the patch is malformed: an apply patch must be an object'],
    ['apply: several documents', APPLY, 'kind: Task\n---\nkind: Task\n', 400, /^the request body is not valid YAML: Source contains multiple documents/],
    ['apply: bad YAML', APPLY, 'spec: [\n', 400, /^the request body is not valid YAML: /],
    ['apply: another kind', APPLY, 'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: t}\n', 400, 'the kind of the object (Pipeline) does not match the kind of the URL (Task)'],
    ['apply: another name', APPLY, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: u}\nspec: {steps: [{name: s, image: a}]}\n', 400, 'the name of the object (u) does not match the name on the URL (t)'],
    ['apply: no spec', APPLY, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\n', 422, /spec/],
    ['apply: an empty body', APPLY, '', 400, 'the request body is empty'],
    ['apply: YAML null', APPLY, '~\n', 400, 'the patch is malformed: an apply patch must be an object'],
  ];
  for (const [what, type, body, code, message] of otherPatches) {
    const strict = what.includes('Strict') ? '?fieldValidation=Strict' : '';
    const query = [strict.slice(1), type === APPLY ? 'fieldManager=test' : ''].filter(Boolean).join('&');
    add({ name: `patch: ${what}`, method: 'PATCH', url: `${NS}/tasks/t${query ? `?${query}` : ''}`, body, type, code, reason: reasonOf[code], message });
  }
  add({ name: 'apply on /status of a missing object', method: 'PATCH', url: `${NS}/tasks/missing/status?fieldManager=test`, body: 'status: {}\n', type: APPLY, code: 404, reason: 'NotFound', message: 'tasks.tekton.dev "missing" not found' });
  add({ name: 'apply creating an invalid object', method: 'PATCH', url: `${NS}/tasks/fresh?fieldManager=test`, body: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: fresh}\nspec: {steps: []}\n', type: APPLY, code: 422, reason: 'Invalid', message: /^Task\.tekton\.dev "fresh" is invalid/ });
  // PatchOptions, checked before the object is looked up (as kube-apiserver's ValidatePatchOptions)
  const applyTask = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec: {steps: [{name: s, image: a}]}\n';
  const needsManager = 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch';
  add({ name: 'apply without fieldManager', method: 'PATCH', url: `${NS}/tasks/t`, body: applyTask, type: APPLY, code: 422, reason: 'Invalid', message: needsManager });
  add({ name: 'apply with an empty fieldManager', method: 'PATCH', url: `${NS}/tasks/t?fieldManager=&force=true`, body: applyTask, type: APPLY, code: 422, reason: 'Invalid', message: needsManager });
  add({ name: 'apply without fieldManager creating an object', method: 'PATCH', url: `${NS}/tasks/fresh`, body: applyTask.replace('name: t', 'name: fresh'), type: APPLY, code: 422, reason: 'Invalid', message: needsManager });
  add({ name: 'apply with a fieldManager of 129 characters', method: 'PATCH', url: `${NS}/tasks/t?fieldManager=${'m'.repeat(129)}`, body: applyTask, type: APPLY, code: 422, reason: 'Invalid', message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes' });
  add({ name: 'merge patch with force', method: 'PATCH', url: `${NS}/tasks/t?force=true`, body: {}, type: MERGE, code: 422, reason: 'Invalid', message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch' });

  // __proto__ and friends never become prototypes: they are data, dropped or reported like any unknown field
  const protoBodies: Array<[string, string, number, string, string | RegExp]> = [
    ['__proto__ holding the kind', '{"__proto__":{"kind":"Pipeline"},"kind":"Pipeline"}', 400, 'BadRequest', 'the kind of the object (Pipeline) does not match the kind of the URL (Task)'],
    ['metadata.__proto__ holding the name', '{"metadata":{"__proto__":{"name":"x"}},"spec":{"steps":[{"name":"s","image":"a"}]}}', 422, 'Invalid', /metadata\.name: missing field/],
    ['__proto__ under Strict', '{"__proto__":{"x":1},"metadata":{"name":"x"},"spec":{"steps":[{"name":"s","image":"a"}]}}', 400, 'BadRequest', 'strict decoding error: unknown field "__proto__"'],
    ['constructor.prototype under Strict', '{"constructor":{"prototype":{"x":1}},"metadata":{"name":"x"},"spec":{"steps":[{"name":"s","image":"a"}]}}', 400, 'BadRequest', 'strict decoding error: unknown field "constructor"'],
    ['spec.__proto__ under Strict', '{"metadata":{"name":"x"},"spec":{"__proto__":{"steps":[]},"steps":[{"name":"s","image":"a"}]}}', 400, 'BadRequest', 'strict decoding error: unknown field "spec.__proto__"'],
  ];
  for (const [what, text, code, reason, message] of protoBodies) {
    const strict = what.includes('Strict') ? '?fieldValidation=Strict' : '';
    add({ name: `POST Task: ${what}`, method: 'POST', url: `${NS}/tasks${strict}`, body: text, code, reason, message });
    add({ name: `POST Task (YAML): ${what}`, method: 'POST', url: `${NS}/tasks${strict}`, body: text, type: 'application/yaml', code, reason, message });
  }
  add({ name: 'POST Task: invalid UTF-8 inside the name', method: 'POST', url: `${NS}/tasks`, body: Buffer.concat([Buffer.from('{"metadata":{"name":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"},"spec":{"steps":[{"name":"s","image":"a"}]}}')]), code: 422, reason: 'Invalid', message: /metadata\.name: invalid resource name/ });
  add({ name: 'POST Task: a lone surrogate in the name', method: 'POST', url: `${NS}/tasks`, body: '{"metadata":{"name":"\\ud800"},"spec":{"steps":[{"name":"s","image":"a"}]}}', code: 422, reason: 'Invalid', message: /metadata\.name: invalid resource name/ });
  add({ name: 'POST Task: a YAML tag that is not JSON', method: 'POST', url: `${NS}/tasks`, body: 'metadata: {name: x}\nspec: {steps: !!binary aGVsbG8=}\n', type: 'application/yaml', code: 422, reason: 'Invalid', message: /spec\.steps: invalid type/ });
  add({ name: 'POST Task: an empty Content-Type', method: 'POST', url: `${NS}/tasks`, body: '{}', type: '', code: 415, reason: 'UnsupportedMediaType' });
  add({ name: 'POST Task: YAML nested past the parser', method: 'POST', url: `${NS}/tasks`, body: `a: ${'['.repeat(3000)}${']'.repeat(3000)}\n`, type: 'application/yaml', code: 400, reason: 'BadRequest', message: /^the request body is not valid YAML: / });

  // names and labels within Kubernetes' limits, on every write path
  const longName = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`; // 255
  add({ name: 'POST ConfigMap: a name of 255 characters', method: 'POST', url: `${CORE}/configmaps`, body: { metadata: { name: longName }, data: {} }, code: 422, reason: 'Invalid', message: /metadata\.name: invalid resource name "a{63}\.b{13}\.\.\.": length must be no more than 253 characters$/ });
  add({ name: 'POST ConfigMap: a generateName of 300 characters', method: 'POST', url: `${CORE}/configmaps`, body: { metadata: { generateName: 'g'.repeat(300) }, data: {} }, code: 422, reason: 'Invalid', message: /metadata\.generateName: invalid value: "g{77}\.\.\.": must be no more than 253 characters$/ });
  add({ name: 'POST Task: a label value of 64 characters', method: 'POST', url: `${NS}/tasks`, body: { metadata: { name: 'l', labels: { app: 'v'.repeat(64) } }, spec: { steps } }, code: 422, reason: 'Invalid', message: /metadata\.labels\.app: invalid label value "v{64}": must be no more than 63 characters$/ });
  add({ name: 'POST Task: a label key prefix of 254 characters', method: 'POST', url: `${NS}/tasks`, body: { metadata: { name: 'l', labels: { [`${longName.slice(0, 254)}/k`]: 'v' } }, spec: { steps } }, code: 422, reason: 'Invalid', message: /metadata\.labels\..*: invalid label key ".*": prefix part must be no more than 253 characters$/ });
  add({ name: 'PATCH Task: a label key name part of 64 characters', method: 'PATCH', url: `${NS}/tasks/t`, body: { metadata: { labels: { ['k'.repeat(64)]: 'v' } } }, type: MERGE, code: 422, reason: 'Invalid', message: /metadata\.labels\.k{64}: invalid label key "k{64}": name part must be no more than 63 characters$/ });
  add({ name: 'PUT ConfigMap: a label value with a space', method: 'PUT', url: `${CORE}/configmaps/cm`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { a: 'b c' } }, data: {} }, code: 422, reason: 'Invalid', message: /metadata\.labels\.a: invalid label value "b c": must be empty or consist of/ });

  // a watch from a resourceVersion the store has not reached is refused, not left waiting on an empty stream
  add({ name: 'watch from a resourceVersion newer than the store\'s', method: 'GET', url: `${CORE}/configmaps?watch=true&resourceVersion=999999999`, code: 410, reason: 'Gone', message: /^Too large resource version: 999999999, current: \d+$/ });
  add({ name: 'watch of one namespace from a resourceVersion newer than the store\'s', method: 'GET', url: `${NS}/tasks?watch=1&resourceVersion=1000000000000`, code: 410, reason: 'Gone', message: /^Too large resource version: 1000000000000, current: \d+$/ });

  // DELETE bodies (DeleteOptions)
  const deleteBodies: Array<[string, string, string | RegExp]> = [
    ['not JSON', 'nope', /^the request body is not valid DeleteOptions JSON: /],
    ['a list', '[]', 'DeleteOptions must be a JSON object'],
    ['null', 'null', 'DeleteOptions must be a JSON object'],
    ['a number', '7', 'DeleteOptions must be a JSON object'],
    ['truncated', '{"preconditions":', /^the request body is not valid DeleteOptions JSON: /],
  ];
  for (const [what, text, message] of deleteBodies) {
    add({ name: `DELETE Task: DeleteOptions ${what}`, method: 'DELETE', url: `${NS}/tasks/t`, body: text, code: 400, reason: 'BadRequest', message });
    add({ name: `deletecollection: DeleteOptions ${what}`, method: 'DELETE', url: `${CORE}/configmaps`, body: text, code: 400, reason: 'BadRequest', message });
  }
  add({ name: 'DELETE Task: a stale resourceVersion precondition', method: 'DELETE', url: `${NS}/tasks/t`, body: { preconditions: { resourceVersion: '1' } }, code: 409, reason: 'Conflict', message: /^Precondition failed: ResourceVersion in precondition: 1, / });

  // paths the server does not serve
  const unknownPaths = [
    '/apis/example.com/v1/namespaces/default/widgets', '/apis/tekton.dev/v2/namespaces/default/tasks', '/apis/tekton.dev/v1/namespaces/default/widgets',
    '/apis/tekton.dev/v1/namespaces/default/stepactions', '/apis/tekton.dev/v1alpha1/namespaces/default/tasks', '/api/v2/namespaces/default/configmaps',
    '/api/v1/namespaces/default/nodes', '/api/v1/namespaces/default/tasks', '/apis/tekton.dev/v1/namespaces/default/configmaps', '/apis/tekton.dev/v1/tasks/t',
    '/api/v1/configmaps/cm', `${NS}/tasks/t/status/extra`, `${NS}/tasks/t/log`, `${NS}/pipelineruns/pr/log`, '/api/v1/namespaces/default/status/x',
    '/apis', '/apis/tekton.dev/v1/namespaces', '/TASKS', '/apis/Tekton.dev/v1/namespaces/default/tasks', `${NS}/Tasks`,
    '/apis/tekton.dev/v1/namespaces/default/tasks/t/../../../../../etc/passwd', '/apis/tekton.dev/v1/namespaces/default/../../../../api/v1/secrets',
    `${NS}/tasks/..%2F..%2Fsecrets/x`, `${NS}/%2e%2e/%2e%2e/secrets`, '/apis/tekton.dev/v1/namespaces/default/tasks/t%2Fstatus/x', '/..', '/api/v1/..%2f..%2f',
    '/openapi/v3/apis/example.com/v1', '/openapi/v3/../../etc/passwd', '/apis/tekton.dev/v1/namespaces/default/tasks/t\\..\\..\\x/y',
  ];
  for (const url of unknownPaths) {
    for (const method of url === '/apis' || url.startsWith('/openapi') ? ['POST', 'DELETE'] : ['GET', 'POST', 'DELETE']) {
      add({ name: `${method} ${url}`, method, url, body: method === 'POST' ? '{}' : undefined, code: 404, reason: 'NotFound' });
    }
  }
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    add({ name: `${method} /api (discovery is read-only)`, method, url: '/api', body: method === 'DELETE' ? undefined : '{}', code: 404, reason: 'NotFound' });
    add({ name: `${method} /version`, method, url: '/version', body: method === 'DELETE' ? undefined : '{}', code: 404, reason: 'NotFound' });
  }
  for (const url of ['/%zz', `${NS}/tasks/%zz`, '/apis/tekton.dev/%E0%A4%A/namespaces/default/tasks', '/apis/%/v1/namespaces/default/tasks', `${NS}/tasks/%`]) {
    add({ name: `a broken %-escape: ${url}`, method: 'GET', url, code: 400, reason: 'BadRequest', message: /is not a valid url component$/ });
  }
  add({ name: 'a group name over fastify’s parameter limit', method: 'GET', url: `/apis/${'g'.repeat(200)}/v1/namespaces/default/tasks`, code: 400, reason: 'BadRequest' });
  add({ name: 'POST to a TaskRun log', method: 'POST', url: `${NS}/taskruns/tr/log`, body: '{}', code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource: POST taskruns/log' });
  add({ name: 'DELETE a TaskRun log', method: 'DELETE', url: `${NS}/taskruns/tr/log`, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'DELETE a status', method: 'DELETE', url: `${NS}/pipelineruns/pr/status`, code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource: DELETE pipelineruns/status' });
  add({ name: 'POST to a status', method: 'POST', url: `${NS}/pipelineruns/pr/status`, body: '{}', code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'logs of a missing TaskRun', method: 'GET', url: `${NS}/taskruns/none/log`, code: 404, reason: 'NotFound', message: 'taskruns.tekton.dev "none" not found' });
  return out;
}

/** Requests that need a token-protected server. */
function authRows(): Row[] {
  const out: Row[] = [];
  const urls = ['/api', '/apis', '/version', '/openapi/v3', `${NS}/tasks`, `${NS}/tasks/t`, `${CORE}/secrets`, '/hooks/../api', '/hooks/%2e%2e/api/v1/secrets', '/healthz/../api', '/nothing'];
  for (const url of urls) {
    for (const auth of [undefined, 'Bearer wrong', 'Bearer', 'Basic dG9rZW4=', 'token', 'Bearer  ']) {
      out.push({ name: `${url} with ${auth === undefined ? 'no Authorization' : JSON.stringify(auth)}`, method: 'GET', url, headers: auth === undefined ? {} : { authorization: auth }, code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
    }
  }
  out.push({ name: 'POST without a token', method: 'POST', url: `${NS}/tasks`, body: TARGETS[0].valid('n'), code: 401, reason: 'Unauthorized' });
  out.push({ name: 'DELETE without a token', method: 'DELETE', url: `${NS}/tasks/t`, code: 401, reason: 'Unauthorized' });
  out.push({ name: 'a body over the limit without a token', method: 'POST', url: `${NS}/tasks`, body: 'x'.repeat(LIMIT + 1), code: 401, reason: 'Unauthorized' });
  return out;
}

async function send(app: FastifyInstance, r: Row) {
  const payload = r.body === undefined ? undefined : typeof r.body === 'string' || Buffer.isBuffer(r.body) ? r.body : JSON.stringify(r.body);
  const headers: Record<string, string> = { ...r.headers };
  if (r.type !== null && (r.type !== undefined || payload !== undefined)) headers['content-type'] = r.type ?? 'application/json';
  return app.inject({ method: r.method as 'GET', url: r.url, payload, headers });
}

function check(r: Row, res: { statusCode: number; body: string; headers: Record<string, unknown> }): void {
  assert.ok(res.statusCode < 500, `${res.statusCode}: ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const status = JSON.parse(res.body);
  assert.deepEqual(
    { http: res.statusCode, kind: status.kind, apiVersion: status.apiVersion, status: status.status, code: status.code, reason: status.reason },
    { http: r.code, kind: 'Status', apiVersion: 'v1', status: 'Failure', code: r.code, reason: r.reason },
    status.message,
  );
  assert.equal(typeof status.message, 'string');
  if (typeof r.message === 'string') assert.equal(status.message, r.message);
  else if (r.message) assert.match(status.message, r.message);
}

async function seededServer(token?: string) {
  const store = createMemoryStore({ historySize: 4 });
  const app = createServer({ store, bodyLimit: LIMIT, token, logs: async function* noLogs() {} });
  const auth = token ? { authorization: `Bearer ${token}` } : {};
  for (const t of TARGETS) {
    if (t.kind === 'Namespace') {
      await app.inject({ method: 'POST', url: t.collection, payload: JSON.stringify(t.valid('default')), headers: { 'content-type': 'application/json', ...auth } });
      continue;
    }
    const name = t.object.split('/').pop()!;
    const res = await app.inject({ method: 'POST', url: t.collection, payload: JSON.stringify(t.valid(name)), headers: { 'content-type': 'application/json', ...auth } });
    assert.equal(res.statusCode, 201, res.body);
  }
  return { app, store };
}

/** The store's current resourceVersion (any list carries it): unchanged means nothing was written. */
async function versionOf(app: FastifyInstance, auth: Record<string, string> = {}): Promise<string> {
  return JSON.parse((await app.inject({ method: 'GET', url: `${CORE}/configmaps`, headers: auth })).body).metadata.resourceVersion;
}

describe('malformed requests', () => {
  const all = rows();
  let app: FastifyInstance;
  let before_: string;
  before(async () => {
    ({ app } = await seededServer());
    before_ = await versionOf(app);
  });
  after(() => app.close());

  it(`there are a few hundred of them (${all.length})`, () => {
    assert.ok(all.length >= 300, String(all.length));
    assert.equal(new Set(all.map((r) => r.name)).size, all.length, 'names are unique');
  });

  for (const r of all) {
    it(`${r.code} ${r.reason}: ${r.name}`, async () => {
      check(r, await send(app, r));
    });
  }

  it('nothing was written, nothing polluted, and the server still answers', async () => {
    assert.equal(await versionOf(app), before_);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual([health.statusCode, health.body], [200, 'ok']);
    const t = await app.inject({ method: 'GET', url: `${NS}/tasks/t` });
    assert.equal(JSON.parse(t.body).spec.steps[0].image, 'alpine');
  });
});

describe('malformed requests to a token-protected server', () => {
  const all = authRows();
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await seededServer('tok3n'));
  });
  after(() => app.close());

  for (const r of all) {
    it(`${r.code} ${r.reason}: ${r.name}`, async () => {
      check(r, await send(app, r));
    });
  }

  it('the server still answers, health checks without a token', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual([health.statusCode, health.body], [200, 'ok']);
    const ok = await app.inject({ method: 'GET', url: `${NS}/tasks/t`, headers: { authorization: 'Bearer tok3n' } });
    assert.equal(ok.statusCode, 200);
  });
});
