// Bearer-token authentication: when a token is configured, every request but the health checks
// and the webhook sinks under /hooks/ must carry `Authorization: Bearer <token>` — the operator's
// admin token, or a named token from the data dir's tokens.json (see tokens.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { User } from './authz.ts';
import { HttpError } from './errors.ts';

/** Exact paths the operator serves without a token too (`kiln serve --metrics-public` adds /metrics). */

/** Paths served without a token: health checks, webhook sinks (which authenticate their own way), and `extra` (the operator's choice, e.g. /metrics). */
export function isPublicPath(path: string, extra: readonly string[] = []): boolean {
  if (/^\/(healthz|readyz|livez)\/?$/.test(path) || extra.includes(path)) return true;
  return path.startsWith('/hooks/') && !/(^|\/)\.\.?(\/|$)|%2e|%2f|\\/i.test(path);
}

/** Who the operator's token (the one in `<data-dir>/token`) authenticates as; no token name can take it. */
export const OPERATOR: User = Object.freeze({ name: 'kiln:operator', role: 'admin', namespaces: Object.freeze([]) as readonly string[] });

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** The token of a `Bearer` Authorization header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return m ? m[1].trim() : undefined;
}

/** Whether an Authorization header carries `token` (compared in constant time). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = bearerOf(header);
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(token));
}

/**
 * Who makes the request: undefined when no token is configured (no auth at all) or the path is
 * public; the operator for the admin `token`; else the user `lookup` finds for the bearer token.
 * Throws 401 Unauthorized when none matches.
 */
export function authenticate(path: string, authorization: string | undefined, token: string | undefined, lookup?: (token: string) => User | undefined, publicPaths: readonly string[] = []): User | undefined {
  if (token === undefined || token === '' || isPublicPath(path, publicPaths)) return undefined;
  if (tokenMatches(authorization, token)) return OPERATOR;
  const presented = bearerOf(authorization);
  const user = presented === undefined ? undefined : lookup?.(presented);
  if (!user) throw new HttpError('Unauthorized', 'Unauthorized');
  return user;
}
