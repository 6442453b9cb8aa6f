// The one HTTP error class of the server, and its Kubernetes `Status` body. Every failure
// (a thrown HttpError, a StoreError, a fastify parsing error, anything else) becomes a Status
// in one place: `toHttpError` + `statusBody`, used by the server's single error handler.
import { StoreError } from '../store/store.ts';

/** Kubernetes StatusReason values the server answers with. */
export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'MethodNotAllowed' | 'NotAcceptable'
  | 'AlreadyExists' | 'Conflict' | 'Gone' | 'Expired' | 'RequestEntityTooLarge' | 'UnsupportedMediaType'
  | 'Invalid' | 'TooManyRequests' | 'InternalError' | 'ServiceUnavailable' | 'Timeout';

const CODES: Record<StatusReason, number> = {
  BadRequest: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, MethodNotAllowed: 405, NotAcceptable: 406,
  AlreadyExists: 409, Conflict: 409, Gone: 410, Expired: 410, RequestEntityTooLarge: 413, UnsupportedMediaType: 415,
  Invalid: 422, TooManyRequests: 429, InternalError: 500, ServiceUnavailable: 503, Timeout: 504,
};

/** One field problem, as Kubernetes lists them in `details.causes`. */
export interface StatusCause {
  /** e.g. `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported` */
  reason?: string;
  message: string;
  /** field path, e.g. `spec.steps[0].image` */
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

/** A Kubernetes `Status` object (failures and the few successes answered with one). */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

/** The server's one error class: a reason (its HTTP code follows), a message, optional details. */
export class HttpError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details?: StatusDetails;
  constructor(reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'HttpError';
    this.reason = reason;
    this.code = CODES[reason];
    this.details = details;
  }
}

export function badRequest(message: string, details?: StatusDetails): HttpError {
  return new HttpError('BadRequest', message, details);
}

export function notFound(message = 'the server could not find the requested resource', details?: StatusDetails): HttpError {
  return new HttpError('NotFound', message, details);
}

export function methodNotAllowed(method: string, what: string): HttpError {
  return new HttpError('MethodNotAllowed', `the server does not allow this method on the requested resource: ${method} ${what}`);
}

export function unsupportedMediaType(contentType: string, supported: readonly string[]): HttpError {
  const given = contentType || '(none)';
  return new HttpError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')} (got ${given})`);
}

/** Kubernetes' 422: `Kind.group "name" is invalid: [a: x, b: y]`, every field in `details.causes`. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): HttpError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const what = `${group ? `${kind}.${group}` : kind} ${JSON.stringify(name)}`;
  const message = `${what} is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  return new HttpError('Invalid', message, { name, group, kind, causes });
}

/** Fastify's own error codes that are the client's fault. */
const FASTIFY_CODES: Record<string, StatusReason> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'RequestEntityTooLarge',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UnsupportedMediaType',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BadRequest',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BadRequest',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BadRequest',
  FST_ERR_BAD_URL: 'BadRequest',
  FST_ERR_ASYNC_CONSTRAINT: 'BadRequest',
  FST_ERR_NOT_FOUND: 'NotFound',
};

function reasonForCode(code: number): StatusReason | undefined {
  return (Object.keys(CODES) as StatusReason[]).find((r) => CODES[r] === code);
}

/** Any thrown value as an HttpError; unknown errors are 500 InternalError with a generic message. */
export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof StoreError) return new HttpError(e.reason, e.message);
  const err = e as { code?: unknown; statusCode?: unknown; message?: unknown } | undefined;
  if (err && typeof err.code === 'string' && Object.hasOwn(FASTIFY_CODES, err.code)) {
    const reason = FASTIFY_CODES[err.code];
    const message = reason === 'RequestEntityTooLarge' ? 'the request body is too large' : String(err.message ?? reason);
    return new HttpError(reason, message);
  }
  if (err && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new HttpError(reasonForCode(err.statusCode) ?? 'BadRequest', String(err.message ?? 'bad request'));
  }
  return new HttpError('InternalError', 'an internal error occurred while handling the request');
}

/** The `Status` body of an error. */
export function statusBody(e: HttpError): Status {
  const body: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, code: e.code };
  if (e.details) body.details = e.details;
  return body;
}

/** A `Status` Success (what DELETE answers when the object is gone). */
export function successStatus(details: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}
