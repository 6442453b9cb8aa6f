import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from 'fastify';
import type { StoreErrorReason } from '../store/store.ts';
import { StoreError } from '../store/store.ts';
import type { StatusReason } from './errors.ts';
import {
  badRequest, HttpError, invalid, methodNotAllowed, notFound, statusBody, successStatus, toHttpError, unsupportedMediaType,
} from './errors.ts';

const GENERIC = 'an internal error occurred while handling the request';

describe('HttpError', () => {
  const cases: Array<{ reason: StatusReason; code: number }> = [
    { reason: 'BadRequest', code: 400 }, { reason: 'Unauthorized', code: 401 }, { reason: 'Forbidden', code: 403 },
    { reason: 'NotFound', code: 404 }, { reason: 'MethodNotAllowed', code: 405 }, { reason: 'NotAcceptable', code: 406 },
    { reason: 'AlreadyExists', code: 409 }, { reason: 'Conflict', code: 409 }, { reason: 'Gone', code: 410 },
    { reason: 'Expired', code: 410 }, { reason: 'RequestEntityTooLarge', code: 413 }, { reason: 'UnsupportedMediaType', code: 415 },
    { reason: 'Invalid', code: 422 }, { reason: 'TooManyRequests', code: 429 }, { reason: 'InternalError', code: 500 },
    { reason: 'ServiceUnavailable', code: 503 }, { reason: 'Timeout', code: 504 },
  ];
  for (const c of cases) {
    it(`${c.reason} is ${c.code}`, () => {
      const e = new HttpError(c.reason, 'm');
      assert.equal(e.code, c.code);
      assert.equal(e.reason, c.reason);
      assert.equal(e.name, 'HttpError');
      assert.ok(e instanceof Error);
    });
  }
});

describe('constructors', () => {
  it('badRequest, notFound, methodNotAllowed, unsupportedMediaType', () => {
    assert.deepEqual([badRequest('b').code, badRequest('b').message], [400, 'b']);
    assert.equal(notFound().message, 'the server could not find the requested resource');
    assert.deepEqual(notFound('tasks.tekton.dev "x" not found', { name: 'x', kind: 'tasks' }).details, { name: 'x', kind: 'tasks' });
    const m = methodNotAllowed('PUT', '/apis/tekton.dev/v1/namespaces/ns/tasks');
    assert.equal(m.code, 405);
    assert.equal(m.message, 'the server does not allow this method on the requested resource: PUT /apis/tekton.dev/v1/namespaces/ns/tasks');
    const u = unsupportedMediaType('', ['application/json', 'application/yaml']);
    assert.equal(u.code, 415);
    assert.equal(u.message, 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got (none))');
  });

  const invalids = [
    {
      name: 'one cause, grouped kind',
      args: ['Task', 'tekton.dev', 'build', [{ field: 'spec.steps', message: 'missing field(s)' }]] as const,
      message: 'Task.tekton.dev "build" is invalid: spec.steps: missing field(s)',
    },
    {
      name: 'several causes are listed in brackets; a cause without a field',
      args: ['ConfigMap', '', 'cm', [{ field: 'data.a b', message: 'bad key' }, { message: 'not a usable object' }]] as const,
      message: 'ConfigMap "cm" is invalid: [data.a b: bad key, not a usable object]',
    },
  ];
  for (const c of invalids) {
    it(`invalid: ${c.name}`, () => {
      const [kind, group, name, causes] = c.args;
      const e = invalid(kind, group, name, [...causes]);
      assert.equal(e.reason, 'Invalid');
      assert.equal(e.code, 422);
      assert.equal(e.message, c.message);
      assert.deepEqual(e.details, { name, group, kind, causes });
    });
  }
});

describe('toHttpError', () => {
  it('an HttpError is itself', () => {
    const e = badRequest('x');
    assert.equal(toHttpError(e), e);
  });

  const stores: Array<{ reason: StoreErrorReason; code: number }> = [
    { reason: 'NotFound', code: 404 }, { reason: 'AlreadyExists', code: 409 }, { reason: 'Conflict', code: 409 },
    { reason: 'Invalid', code: 422 }, { reason: 'Gone', code: 410 }, { reason: 'BadRequest', code: 400 },
  ];
  for (const c of stores) {
    it(`StoreError ${c.reason} keeps its reason and message`, () => {
      const e = toHttpError(new StoreError(c.reason, `tasks "x": ${c.reason}`));
      assert.ok(e instanceof HttpError);
      assert.deepEqual([e.reason, e.code, e.message], [c.reason, c.code, `tasks "x": ${c.reason}`]);
    });
  }

  const fastify: Array<{ name: string; error: unknown; reason: StatusReason; code: number; message?: string }> = [
    { name: 'FST_ERR_CTP_BODY_TOO_LARGE (a fixed message)', error: new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), reason: 'RequestEntityTooLarge', code: 413, message: 'the request body is too large' },
    { name: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', error: new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/x'), reason: 'UnsupportedMediaType', code: 415 },
    { name: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', error: new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH(), reason: 'BadRequest', code: 400 },
    { name: 'FST_ERR_CTP_EMPTY_JSON_BODY', error: new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), reason: 'BadRequest', code: 400 },
    { name: 'FST_ERR_CTP_INVALID_JSON_BODY', error: new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), reason: 'BadRequest', code: 400 },
    { name: 'FST_ERR_BAD_URL', error: new errorCodes.FST_ERR_BAD_URL('%zz'), reason: 'BadRequest', code: 400 },
    { name: 'FST_ERR_ASYNC_CONSTRAINT (500 in fastify, the client’s fault here)', error: new errorCodes.FST_ERR_ASYNC_CONSTRAINT(), reason: 'BadRequest', code: 400 },
    { name: 'FST_ERR_NOT_FOUND', error: new errorCodes.FST_ERR_NOT_FOUND(), reason: 'NotFound', code: 404 },
    { name: 'a bare code object', error: { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }, reason: 'RequestEntityTooLarge', code: 413, message: 'the request body is too large' },
  ];
  for (const c of fastify) {
    it(`fastify ${c.name}`, () => {
      const e = toHttpError(c.error);
      assert.deepEqual([e.reason, e.code], [c.reason, c.code]);
      assert.equal(e.message, c.message ?? (c.error as Error).message);
    });
  }

  const byStatus: Array<{ name: string; error: unknown; reason: StatusReason; code: number; message: string }> = [
    { name: 'a 4xx statusCode with a known reason', error: Object.assign(new Error('gone away'), { statusCode: 410 }), reason: 'Gone', code: 410, message: 'gone away' },
    { name: 'a 409 statusCode', error: Object.assign(new Error('c'), { statusCode: 409 }), reason: 'AlreadyExists', code: 409, message: 'c' },
    { name: 'an unknown 4xx statusCode is BadRequest', error: Object.assign(new Error('teapot'), { statusCode: 418 }), reason: 'BadRequest', code: 400, message: 'teapot' },
    { name: 'a 4xx statusCode without a message', error: { statusCode: 401 }, reason: 'Unauthorized', code: 401, message: 'bad request' },
    { name: 'an unlisted fastify code with a 4xx statusCode', error: Object.assign(new Error('bad header'), { code: 'FST_ERR_SOMETHING', statusCode: 400 }), reason: 'BadRequest', code: 400, message: 'bad header' },
  ];
  for (const c of byStatus) {
    it(c.name, () => {
      const e = toHttpError(c.error);
      assert.deepEqual([e.reason, e.code, e.message], [c.reason, c.code, c.message]);
    });
  }

  const internal: Array<{ name: string; error: unknown }> = [
    { name: 'an Error (its message is not leaked)', error: new Error('ENOENT: /secret/path/db.sqlite') },
    { name: 'a TypeError', error: new TypeError('cannot read properties of undefined') },
    { name: 'a 5xx statusCode', error: Object.assign(new Error('upstream detail'), { statusCode: 502 }) },
    { name: 'a string', error: 'boom' },
    { name: 'undefined', error: undefined },
    { name: 'null', error: null },
    { name: 'an unknown code', error: Object.assign(new Error('x'), { code: 'EACCES' }) },
    { name: 'an inherited code name is not a fastify code', error: { code: 'toString', message: 'x' } },
  ];
  for (const c of internal) {
    it(`500 with a generic message: ${c.name}`, () => {
      const e = toHttpError(c.error);
      assert.deepEqual([e.reason, e.code, e.message], ['InternalError', 500, GENERIC]);
    });
  }
});

describe('statusBody and successStatus', () => {
  it('a failure Status', () => {
    assert.deepEqual(statusBody(notFound('tasks.tekton.dev "x" not found', { name: 'x', group: 'tekton.dev', kind: 'tasks' })), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'tasks.tekton.dev "x" not found', reason: 'NotFound', code: 404,
      details: { name: 'x', group: 'tekton.dev', kind: 'tasks' },
    });
  });
  it('no details key without details', () => {
    const body = statusBody(badRequest('b'));
    assert.equal(Object.hasOwn(body, 'details'), false);
    assert.deepEqual(body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'b', reason: 'BadRequest', code: 400 });
  });
  it('a success Status', () => {
    assert.deepEqual(successStatus({ name: 'x', kind: 'tasks', uid: 'u' }), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'x', kind: 'tasks', uid: 'u' }, code: 200,
    });
  });
});
