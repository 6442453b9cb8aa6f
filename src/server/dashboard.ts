// The dashboard's side of the server: its built assets at `/` (index.html + /assets/*), and
// sign-in by session cookie. POST /dashboard/session takes the API token and answers an httpOnly,
// SameSite=Strict cookie plus a CSRF token; a request carrying that cookie is treated as if it
// carried the token in `Authorization`, but only together with `X-Kiln-CSRF: <csrf token>` (a
// header no other origin can send without a CORS preflight, which is never granted) and, for
// writes, an Origin of this server. Sessions live in memory: a restart signs everyone out.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerOf } from './auth.ts';
import { HttpError, statusBody } from './errors.ts';

export const SESSION_COOKIE = 'kiln_session';
export const CSRF_HEADER = 'x-kiln-csrf';
export const SESSION_PATH = '/dashboard/session';

export interface DashboardOptions {
  /** the built dashboard (index.html + assets/); missing files answer a page saying how to build it */
  root: string;
  /** whether the API requires a token (false under --insecure-loopback-only: no sign-in) */
  auth: boolean;
  /** whether a presented token authenticates anyone (the admin token or a named one) */
  accepts: (token: string) => boolean;
  /** session lifetime (default 12 h) */
  ttlMs?: number;
  now?: () => number;
}

interface Session { token: string; csrf: string; expires: number }

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.map': 'application/json',
};

/** Paths the dashboard serves without a session: the page itself, its assets, and sign-in. */
export function isDashboardPublic(path: string): boolean {
  if (path === '/' || path === '/index.html' || path === SESSION_PATH || path === '/favicon.svg') return true;
  return path.startsWith('/assets/') && !/(^|\/)\.\.?(\/|$)|%2e|%2f|\\/i.test(path);
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** Whether a write's Origin (or, lacking it, Referer) is this server. */
export function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin ?? (req.headers.referer ? safeOrigin(req.headers.referer) : undefined);
  if (!origin) return false;
  return origin === `${req.protocol}://${req.host}`;
}

function safeOrigin(u: string): string | undefined {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
}

const SAFE = new Set(['GET', 'HEAD']);

/** Registers the asset routes, the session endpoints, and the hook turning a session cookie into the bearer token. Call before access control. */
export function registerDashboard(app: FastifyInstance, { root, auth, accepts, ttlMs = 12 * 3600_000, now = Date.now }: DashboardOptions): void {
  const sessions = new Map<string, Session>();
  const live = (id: string | undefined): Session | undefined => {
    const s = id ? sessions.get(id) : undefined;
    if (s && s.expires <= now()) sessions.delete(id!);
    return s && s.expires > now() ? s : undefined;
  };
  const secure = (req: FastifyRequest) => (req.protocol === 'https' ? '; Secure' : '');

  // a cookie-borne session stands for the token only with the CSRF header (and same origin for writes)
  app.addHook('onRequest', async function sessionCookie(req) {
    if (!auth || req.headers.authorization) return;
    const s = live(cookieOf(req.headers.cookie, SESSION_COOKIE));
    if (!s) return;
    const csrf = req.headers[CSRF_HEADER];
    if (typeof csrf !== 'string' || !same(csrf, s.csrf)) return;
    if (!SAFE.has(req.method) && !sameOrigin(req)) return;
    req.headers.authorization = `Bearer ${s.token}`;
  });

  app.get(SESSION_PATH, async function session(req, reply) {
    if (!auth) return reply.send({ auth: false, signedIn: true });
    const s = live(cookieOf(req.headers.cookie, SESSION_COOKIE));
    // 200 either way: a page asking whether it is signed in is not an error (nor a console one)
    return reply.send(s ? { auth: true, signedIn: true, csrf: s.csrf } : { auth: true, signedIn: false });
  });
  app.post(SESSION_PATH, async function signIn(req, reply) {
    if (!auth) return reply.send({ auth: false, signedIn: true });
    if (!sameOrigin(req)) throw new HttpError('Forbidden', 'sign-in is accepted from this server\'s own pages only');
    const token = tokenOfBody(req.body);
    if (!token || !accepts(token)) throw new HttpError('Unauthorized', 'Unauthorized: the token is not valid');
    for (const [k, v] of sessions) if (v.expires <= now()) sessions.delete(k); // expired ones go as new ones come
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    sessions.set(id, { token, csrf, expires: now() + ttlMs });
    void reply.header('set-cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(ttlMs / 1000)}${secure(req)}`);
    return reply.send({ auth: true, signedIn: true, csrf });
  });
  app.delete(SESSION_PATH, async function signOut(req, reply) {
    const id = cookieOf(req.headers.cookie, SESSION_COOKIE);
    const s = live(id);
    const csrf = req.headers[CSRF_HEADER];
    if (s && typeof csrf === 'string' && same(csrf, s.csrf) && sameOrigin(req)) sessions.delete(id!);
    else if (s) throw new HttpError('Forbidden', 'sign-out needs the X-Kiln-CSRF header from this server\'s pages');
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(req)}`);
    return reply.code(204).send();
  });

  const page = (_req: FastifyRequest, reply: FastifyReply) => sendFile(reply, root, 'index.html');
  app.get('/', page);
  app.get('/index.html', page);
  app.get('/favicon.svg', (_req, reply) => sendFile(reply, root, 'favicon.svg'));
  app.get<{ Params: { '*': string } }>('/assets/*', (req, reply) => sendFile(reply, root, join('assets', req.params['*'])));
}

function tokenOfBody(body: unknown): string | undefined {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  try {
    const t = (JSON.parse(text) as { token?: unknown }).token;
    return typeof t === 'string' ? (bearerOf(`Bearer ${t}`) ?? undefined) : undefined;
  } catch {
    throw new HttpError('BadRequest', 'sign-in: expected a JSON body {"token": "..."}');
  }
}

const NOT_BUILT = '<!doctype html><title>kiln</title><p>The dashboard is not built. Run <code>npm run build:dashboard</code> (or <code>npm ci</code>, which builds it).</p>';

function sendFile(reply: FastifyReply, root: string, rel: string): FastifyReply {
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root) + sep) || !existsSync(file)) {
    if (rel === 'index.html') return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.code(404).type('application/json').send(statusBody(new HttpError('NotFound', `${rel} not found`)));
  }
  const immutable = rel.startsWith('assets' + sep);
  return reply
    .type(TYPES[extname(file)] ?? 'application/octet-stream')
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
    .send(readFileSync(file));
}
