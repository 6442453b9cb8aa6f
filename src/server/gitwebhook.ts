// Argo CD's Git webhook at /api/webhook: a push from GitHub, GitLab or Bitbucket (cloud or server)
// marks every Application whose repository and target revision match with the refresh annotation,
// so it is compared again at once instead of at the next poll. Secrets come from the `argocd-secret`
// Secret (keys webhook.github.secret, webhook.gitlab.secret, webhook.bitbucket.uuid,
// webhook.bitbucketserver.secret) in the namespace Applications live in; a provider with no secret
// configured is accepted unsigned, as Argo CD does (a refresh only reads Git).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KObject } from '../api/meta.ts';
import { findKind, SECRET } from '../api/registry.ts';
import type { Store } from '../store/store.ts';
import { isConflict, StoreError } from '../store/store.ts';
import { constantTimeEqual, validateSignature } from '../triggers/interceptors/signature.ts';

const APPLICATION = findKind('Application', 'argoproj.io')!;
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';

export interface GitWebhookOptions {
  store: Store;
  /** the namespace of `argocd-secret` (default `argocd`) */
  namespace?: string;
}

/** A push as the providers describe it: the repository's URLs, the pushed ref (refs/heads/x or refs/tags/x), the default branch. */
export interface Push { provider: string; urls: string[]; ref: string; defaultBranch?: string }

type Body = Record<string, any>;

/** The push a provider's payload describes, or why it is none (another event, a bad payload). */
export function parsePush(headers: Record<string, string | string[] | undefined>, body: Body): Push | string {
  const h = (n: string) => { const v = headers[n]; return Array.isArray(v) ? v[0] : v; };
  if (h('x-github-event')) {
    if (h('x-github-event') !== 'push') return `GitHub event ${h('x-github-event')} ignored`;
    const r = body.repository ?? {};
    return { provider: 'github', urls: [r.html_url, r.clone_url, r.ssh_url, r.git_url, r.url].filter(Boolean), ref: String(body.ref ?? ''), defaultBranch: r.default_branch ?? r.master_branch };
  }
  if (h('x-gitlab-event')) {
    if (!/^(Push|Tag Push) Hook$/.test(String(h('x-gitlab-event')))) return `GitLab event ${h('x-gitlab-event')} ignored`;
    const p = body.project ?? body.repository ?? {};
    return { provider: 'gitlab', urls: [p.web_url, p.git_http_url, p.git_ssh_url, p.homepage, p.url].filter(Boolean), ref: String(body.ref ?? ''), defaultBranch: p.default_branch };
  }
  const key = h('x-event-key');
  if (key === 'repo:push') {
    const r = body.repository ?? {};
    const change = body.push?.changes?.[0]?.new ?? {};
    const ref = change.type === 'tag' ? `refs/tags/${change.name}` : `refs/heads/${change.name}`;
    return { provider: 'bitbucket', urls: [r.links?.html?.href, r.full_name && `https://bitbucket.org/${r.full_name}`].filter(Boolean), ref, defaultBranch: r.mainbranch?.name };
  }
  if (key === 'repo:refs_changed') {
    const r = body.repository ?? {};
    const clones = (r.links?.clone ?? []).map((c: { href?: string }) => c.href);
    return { provider: 'bitbucketserver', urls: clones.filter(Boolean), ref: String(body.changes?.[0]?.ref?.id ?? ''), defaultBranch: undefined };
  }
  return 'not a push from GitHub, GitLab or Bitbucket';
}

/** A repository URL reduced to host/path (scheme, user, `.git`, case and the scp-like ssh form aside). */
export function sameRepoKey(url: string): string {
  let u = url.trim().toLowerCase();
  const scp = /^[^/@]+@([^:/]+):(.*)$/.exec(u);
  if (scp) u = `${scp[1]}/${scp[2]}`;
  u = u.replace(/^[a-z+]+:\/\//, '').replace(/^[^@/]+@/, '').replace(/:\d+(?=\/)/, '');
  return u.replace(/\/+$/, '').replace(/\.git$/, '');
}

/** Whether a push of `ref` refreshes an app targeting `targetRevision` (HEAD / empty: the default branch). */
export function revisionMatches(targetRevision: string | undefined, push: Push): boolean {
  const rev = (targetRevision ?? '').trim();
  const name = push.ref.replace(/^refs\/(heads|tags)\//, '');
  if (rev === '' || rev === 'HEAD') return push.defaultBranch ? name === push.defaultBranch : push.ref.startsWith('refs/heads/');
  return rev === name || rev === push.ref;
}

async function secretsOf(store: Store, namespace: string): Promise<Record<string, string>> {
  try {
    const s = await store.get<KObject & { data?: Record<string, string>; stringData?: Record<string, string> }>(SECRET, namespace, 'argocd-secret');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
    return { ...out, ...(s.stringData ?? {}) };
  } catch (e) {
    if (e instanceof StoreError && e.reason === 'NotFound') return {};
    throw e;
  }
}

/** Why the request's signature does not hold for `provider` (undefined: it holds, or none is configured). */
function signatureProblem(provider: string, req: FastifyRequest, raw: Buffer, secrets: Record<string, string>): string | undefined {
  const h = (n: string) => { const v = req.headers[n]; return (Array.isArray(v) ? v[0] : v) ?? ''; };
  if (provider === 'github' && secrets['webhook.github.secret']) {
    return validateSignature(h('x-hub-signature-256') || h('x-hub-signature'), raw, secrets['webhook.github.secret']);
  }
  if (provider === 'gitlab' && secrets['webhook.gitlab.secret']) {
    return constantTimeEqual(h('x-gitlab-token'), secrets['webhook.gitlab.secret']) ? undefined : 'X-Gitlab-Token does not match';
  }
  if (provider === 'bitbucket' && secrets['webhook.bitbucket.uuid']) {
    return constantTimeEqual(h('x-hook-uuid'), secrets['webhook.bitbucket.uuid']) ? undefined : 'X-Hook-UUID does not match';
  }
  if (provider === 'bitbucketserver' && secrets['webhook.bitbucketserver.secret']) {
    return validateSignature(h('x-hub-signature'), raw, secrets['webhook.bitbucketserver.secret']);
  }
  return undefined;
}

export function registerGitWebhook(app: FastifyInstance, o: GitWebhookOptions): void {
  const namespace = o.namespace ?? 'argocd';
  app.post('/api/webhook', { bodyLimit: 10 * 1024 * 1024 }, async function gitWebhook(req: FastifyRequest, reply: FastifyReply) {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from(String(req.body ?? ''));
    let body: Body;
    try {
      body = JSON.parse(raw.toString('utf8')) as Body;
    } catch (e) {
      return reply.code(400).type('text/plain').send(`the webhook body is not JSON: ${(e as Error).message}`);
    }
    const push = parsePush(req.headers, body ?? {});
    if (typeof push === 'string') return reply.code(200).type('text/plain').send(push);
    const problem = signatureProblem(push.provider, req, raw, await secretsOf(o.store, namespace));
    if (problem) return reply.code(401).type('text/plain').send(`${push.provider} webhook refused: ${problem}`);
    const repos = new Set(push.urls.map(sameRepoKey));
    const apps = (await o.store.list<KObject & { spec?: { source?: { repoURL?: string; targetRevision?: string }; sources?: Array<{ repoURL?: string; targetRevision?: string }> } }>(APPLICATION)).items;
    const refreshed: string[] = [];
    for (const a of apps) {
      const sources = a.spec?.sources?.length ? a.spec.sources : a.spec?.source ? [a.spec.source] : [];
      if (!sources.some((s) => s.repoURL && repos.has(sameRepoKey(s.repoURL)) && revisionMatches(s.targetRevision, push))) continue;
      await markRefresh(o.store, a.metadata.namespace!, a.metadata.name!);
      refreshed.push(`${a.metadata.namespace}/${a.metadata.name}`);
    }
    req.log.info({ provider: push.provider, ref: push.ref, refreshed: refreshed.length }, 'git webhook');
    return reply.code(200).type('application/json').send({ refreshed });
  });
}

async function markRefresh(store: Store, namespace: string, name: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const a = await store.get(APPLICATION, namespace, name);
    if (a.metadata.annotations?.[REFRESH_ANNOTATION]) return;
    try {
      await store.update(APPLICATION, { ...a, metadata: { ...a.metadata, annotations: { ...(a.metadata.annotations ?? {}), [REFRESH_ANNOTATION]: 'normal' } } });
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
}
