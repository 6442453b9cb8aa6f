// CDEvents of a source-control delivery a trigger received: GitHub and GitLab pushes
// (repository modified; branch created/deleted) and pull/merge requests (change created when
// opened, merged when merged). The first event of a delivery has the id runs link to
// (runs.ts triggerEventId), so a PipelineRun the delivery created links back to its cause. The
// chain is the delivered commit's (revision.ts: the push's new head, a merged request's merge
// commit, an opened request's head), so a GitOps deployment of that commit joins it.
import { buildCDEvent, CDEventType, stableId, type CDEvent, type CDEventLink } from './cdevent.ts';
import { triggerEventId } from './runs.ts';
import { revisionChainId } from './revision.ts';

/** A delivery as a trigger saw it. */
export interface ScmDelivery {
  /** the delivery's event id (the EventListener's eventID) */
  deliveryId: string;
  header: Record<string, string | string[] | undefined>;
  body: unknown;
  /** when it was received, RFC 3339 */
  timestamp: string;
}

const ZERO = /^0{40}$/;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function headerOf(h: ScmDelivery['header'], name: string): string | undefined {
  const k = Object.keys(h).find((x) => x.toLowerCase() === name);
  const v = k === undefined ? undefined : h[k];
  return Array.isArray(v) ? v[0] : v;
}

/** What the events say about a repository, read from either forge's payload. */
interface Repo { id: string; name: string; owner?: string; uri: string; viewUrl?: string; source?: string }

function githubRepo(body: Obj): Repo | undefined {
  const r = obj(body.repository);
  const full = str(r.full_name);
  const uri = str(r.clone_url) ?? str(r.html_url);
  if (!full || !uri) return undefined;
  const owner = obj(r.owner);
  return { id: full, name: str(r.name) ?? full, owner: str(owner.login) ?? str(owner.name), uri, viewUrl: str(r.html_url), source: originOf(str(r.html_url) ?? uri) };
}

function gitlabRepo(body: Obj): Repo | undefined {
  const p = obj(body.project);
  const full = str(p.path_with_namespace);
  const uri = str(p.git_http_url) ?? str(p.web_url);
  if (!full || !uri) return undefined;
  return { id: full, name: str(p.name) ?? full, owner: str(p.namespace), uri, viewUrl: str(p.web_url), source: originOf(str(p.web_url) ?? uri) };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The events a push, pull request or merge request delivery yields (none for other payloads). */
export function scmEvents(d: ScmDelivery, source: string): CDEvent[] {
  const body = obj(d.body);
  const gh = headerOf(d.header, 'x-github-event');
  const gl = headerOf(d.header, 'x-gitlab-event');
  const kind = gh ?? (gl ? str(body.object_kind) : undefined);
  const repo = gh ? githubRepo(body) : gl ? gitlabRepo(body) : undefined;
  if (!repo || !kind) return [];
  const chainId = revisionChainId(repo.uri, deliveredRevision(body, kind, !!gh)) ?? stableId('chain', d.deliveryId);
  const out: CDEvent[] = [];
  function add(type: string, subjectId: string, content: Record<string, unknown>): void {
    const id = out.length === 0 ? triggerEventId(d.deliveryId) : stableId('trigger', d.deliveryId, type);
    const links: CDEventLink[] = out.length ? [{ linkType: 'PATH', from: { contextId: out[0].context.id } }] : [];
    out.push(buildCDEvent(type, { id, source, timestamp: d.timestamp, chainId, links }, { id: subjectId, source: repo!.source, content }));
  }
  const repoRef = { id: repo.id, source: repo.source };
  if (kind === 'push') {
    const ref = str(body.ref) ?? '';
    add(CDEventType.RepositoryModified, repo.id, clean<Record<string, unknown>>({ name: repo.name, owner: repo.owner, uri: repo.uri, viewUrl: repo.viewUrl }));
    const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
    if (branch) {
      const created = body.created === true || ZERO.test(str(body.before) ?? '');
      const deleted = body.deleted === true || ZERO.test(str(body.after) ?? '');
      if (created) add(CDEventType.BranchCreated, `${repo.id}/${branch}`, { repository: repoRef });
      else if (deleted) add(CDEventType.BranchDeleted, `${repo.id}/${branch}`, { repository: repoRef });
    }
    return out;
  }
  if (kind === 'pull_request' || kind === 'merge_request') {
    const pr = gh ? obj(body.pull_request) : obj(body.object_attributes);
    const number = gh ? pr.number : pr.iid;
    const action = gh ? str(body.action) : str(pr.action);
    const merged = gh ? action === 'closed' && pr.merged === true : action === 'merge';
    const subjectId = `${repo.id}/${gh ? 'pull' : 'merge_requests'}/${String(number)}`;
    if (merged) add(CDEventType.ChangeMerged, subjectId, { repository: repoRef });
    else if (action === 'opened' || action === 'open') add(CDEventType.ChangeCreated, subjectId, clean<Record<string, unknown>>({ description: str(pr.title), repository: repoRef }));
  }
  return out;
}

/** The commit a push or pull/merge request delivers, as its payload says. */
function deliveredRevision(body: Obj, kind: string, github: boolean): string | undefined {
  if (kind === 'push') return str(body.after) ?? str(body.checkout_sha);
  const pr = github ? obj(body.pull_request) : obj(body.object_attributes);
  const merged = github ? pr.merged === true : str(pr.action) === 'merge';
  if (merged) return str(pr.merge_commit_sha);
  return github ? str(obj(pr.head).sha) : str(obj(pr.last_commit).id);
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}
