// Bearer-token authentication: when a token is configured, every request but the health checks
// and the webhook sinks under /hooks/ must carry `Authorization: Bearer <token>`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';

/** Paths served without a token: health checks, and webhook sinks (which authenticate their own way). */
export function isPublicPath(path: string): boolean {
  if (/^\/(healthz|readyz|livez)\/?$/.test(path)) return true;
  return path.startsWith('/hooks/') && !/(^|\/)\.\.?(\/|$)|%2e|%2f|\\/i.test(path);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Whether an Authorization header carries `token` (compared in constant time). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  if (!m) return false;
  return timingSafeEqual(digest(m[1].trim()), digest(token));
}

/** Throws 401 Unauthorized unless the request may proceed. */
export function authenticate(path: string, authorization: string | undefined, token: string | undefined): void {
  if (token === undefined || token === '' || isPublicPath(path)) return;
  if (!tokenMatches(authorization, token)) throw new HttpError('Unauthorized', 'Unauthorized');
}
