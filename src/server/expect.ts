// Test helper shared by the server's tests (imports node:assert: used by *.test.ts only).
import assert from 'node:assert/strict';
import { HttpError } from './errors.ts';

/** Asserts `fn` throws an HttpError and returns it. */
export function httpError(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HttpError, `expected an HttpError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an HttpError');
}
