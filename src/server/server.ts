// The HTTP server: Kubernetes REST conventions over a Store, for kubectl, the kiln CLI and the
// dashboard. One error handler turns every failure into a `Status` body; bodies are read raw and
// decoded by Content-Type in media.ts; the resource verbs live in resources.ts, streams in streams.ts.
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { HostPolicy } from '../api/hostpolicy.ts';
import type { Store } from '../store/store.ts';
import { registerAccessControl } from './access.ts';
import { serveCrds } from './crds.ts';
import type { User } from './authz.ts';
import { apiGroupDocument, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
import { notFound, statusBody, toHttpError } from './errors.ts';
import { tokenMatches } from './auth.ts';
import { openApiDocumentText, openApiIndex } from './openapi.ts';
import { registerHooks, type HookOptions } from './hooks.ts';
import { registerGitWebhook } from './gitwebhook.ts';
import { isDashboardPublic, registerDashboard, type DashboardOptions } from './dashboard.ts';
import { discardBody } from './oversize.ts';
import { handleResource, type LogSource } from './resources.ts';
import { endStreams } from './streams.ts';

export interface ServerOptions {
  store: Store;
  /** step logs of a TaskRun (default: none, so `/log` answers 404) */
  logs?: LogSource;
  /** bearer token every request but health checks and /hooks/ must carry (default: none, no auth) */
  token?: string;
  /** with `token`: the user of any other bearer token, authorized by role (default: none) */
  lookup?: (token: string) => User | undefined;
  /** more paths served without the token (e.g. `/metrics` under --metrics-public) */
  publicPaths?: readonly string[];
  /** serve HTTPS with this key and certificate (default: plain HTTP) */
  https?: { key: string; cert: string };
  /** largest request body in bytes (default 3 MiB, as kube-apiserver) */
  bodyLimit?: number;
  /** fastify's logger option (default off); request logs never include headers or bodies */
  logger?: FastifyServerOptions['logger'];
  /** whether /readyz answers ok (default always) */
  ready?: () => boolean;
  /** kiln's version, shown in /version (default none) */
  version?: string;
  /** how often an idle watch gets a BOOKMARK when it asked for them (default 30 s) */
  bookmarkMs?: number;
  /** clock for table ages (default: the real one) */
  now?: () => Date;
  /** webhook sinks under /hooks/ for EventListeners (default: none) */
  hooks?: Omit<HookOptions, 'store' | 'hostPolicy'>;
  /** hostPath and privileged containers admitted through the API and webhooks (default: neither) */
  hostPolicy?: HostPolicy;
  /** the web dashboard at `/` and its sign-in (default: not served) */
  dashboard?: Pick<DashboardOptions, 'root'>;
}

/** Default request body limit: 3 MiB, as kube-apiserver. */
export const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;

export function createServer({
  store,
  logs,
  token,
  lookup,
  publicPaths,
  https,
  bodyLimit = DEFAULT_BODY_LIMIT,
  logger = false,
  ready = () => true,
  version,
  bookmarkMs = 30_000,
  now = () => new Date(),
  hooks,
  hostPolicy,
  dashboard,
}: ServerOptions): FastifyInstance {
  // errors fastify raises before routing (a malformed %-escape, an over-long parameter) get a Status too
  const frameworkErrors = function frameworkError(err: Error, _req: FastifyRequest, reply: FastifyReply) {
    const e = toHttpError(err);
    void reply.code(e.code).type('application/json').send(statusBody(e));
  };
  const common = { bodyLimit, logger, logController: new LogController({ disableRequestLogging: true }), frameworkErrors };
  const app = (https ? Fastify({ ...common, https }) : Fastify(common)) as unknown as FastifyInstance;
  // one structured line per request (method, path, code, ms); never headers or bodies
  app.addHook('onResponse', async function requestLog(req, reply) {
    if (reply.statusCode < 400 && /^\/(healthz|readyz|livez)$/.test(req.url)) return;
    req.log.info({ method: req.method, url: req.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  // Bodies stay raw; media.ts decodes them by Content-Type (JSON, YAML, patch types).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, function rawBody(_req, body, done) {
    done(null, body);
  });

  // the served kinds grow and shrink with the stored CustomResourceDefinitions (crds.ts)
  const crds = serveCrds({ store, onError: (err) => app.log.error({ err }, 'serving CustomResourceDefinitions') });
  const kinds = crds.registry;
  app.addHook('onReady', crds.start);
  app.addHook('onClose', async () => crds.stop());
  // open watches and log streams end when the server closes (new requests get 503 meanwhile)
  app.addHook('preClose', async function endOpenStreams() { endStreams(app.server); });
  if (dashboard) {
    const accepts = (t: string) => (token !== undefined && tokenMatches(`Bearer ${t}`, token)) || !!lookup?.(t);
    registerDashboard(app, { root: dashboard.root, auth: !!token, accepts });
  }
  registerAccessControl(app, { token, lookup, kinds, publicPaths: [...(publicPaths ?? []), '/api/webhook'], isPublic: dashboard ? isDashboardPublic : undefined });

  app.setErrorHandler(function toStatus(err, req, reply) {
    const e = toHttpError(err);
    if (e.code >= 500) req.log.error({ err }, 'internal error');
    if (reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    if (e.reason === 'RequestEntityTooLarge') {
      // read (and drop) what the client still sends before answering and closing: a close with
      // unread data resets the connection, and the client would never see this 413
      void discardBody(req.raw).then(function answer() {
        if (!reply.sent && !reply.raw.destroyed) void reply.header('connection', 'close').code(e.code).type('application/json').send(statusBody(e));
      });
      return;
    }
    void reply.code(e.code).type('application/json').send(statusBody(e));
  });
  app.setNotFoundHandler(function missing(_req, reply) {
    void reply.code(404).type('application/json').send(statusBody(notFound()));
  });

  const text = (body: string) => async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/plain; charset=utf-8').send(body);
  app.get('/healthz', text('ok'));
  app.get('/livez', text('ok'));
  app.get('/readyz', async function readyz(_req, reply) {
    if (!ready()) return reply.code(503).type('text/plain; charset=utf-8').send('not ready');
    return reply.type('text/plain; charset=utf-8').send('ok');
  });
  app.get('/version', async () => versionInfo(version));

  app.get('/api', async (req) => apiVersions(req.host));
  app.get('/apis', async () => apiGroupList(kinds));
  app.get('/api/v1', async () => apiResourceList('', 'v1', kinds));
  app.get<{ Params: { group: string } }>('/apis/:group', async function group(req) {
    return apiGroupDocument(req.params.group, kinds) ?? Promise.reject(notFound());
  });
  app.get<{ Params: { group: string; version: string } }>('/apis/:group/:version', async function groupVersion(req) {
    return apiResourceList(req.params.group, req.params.version, kinds) ?? Promise.reject(notFound());
  });

  app.get('/openapi/v3', async () => openApiIndex(kinds));
  app.get<{ Params: { '*': string } }>('/openapi/v3/*', async function openapiDoc(req, reply) {
    const doc = openApiDocumentText(req.params['*'], kinds);
    if (!doc) throw notFound();
    return reply.type('application/json').header('etag', `"${doc.hash}"`).send(doc.text);
  });

  if (hooks) registerHooks(app, { store, hostPolicy, ...hooks });
  // Argo CD's Git webhook: a push refreshes the Applications it concerns (signatures per argocd-secret)
  registerGitWebhook(app, { store });

  const deps = { store: crds.store, logs, now, bookmarkMs, hostPolicy, kinds };
  // OPTIONS too, so that it is answered 405 MethodNotAllowed like any other verb a resource does not serve
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
  app.route<{ Params: { '*': string } }>({
    method: [...methods],
    url: '/api/v1/*',
    handler: (req, reply) => handleResource(deps, '', 'v1', req.params['*'], req, reply),
  });
  app.route<{ Params: { group: string; version: string; '*': string } }>({
    method: [...methods],
    url: '/apis/:group/:version/*',
    handler: (req, reply) => handleResource(deps, req.params.group, req.params.version, req.params['*'], req, reply),
  });
  return app;
}
