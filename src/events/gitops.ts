// CDEvents of GitOps deployments, derived from an Argo CD-style Application's stored status (as
// runs.ts does for runs): each entry of `status.history` is one deployment — the first is
// environment.created + service.deployed, each later one environment.modified + service.upgraded,
// or service.rolledback when it deploys a revision an earlier entry deployed; an Application
// being deleted (`metadata.deletionTimestamp`) is service.removed. Ids derive from the
// Application's uid and the history entry's id, so deriving one state twice gives the same events.
// A deployment of commit C of a repository is on the chain of the push of C (revision.ts), unless
// the Application's annotation `cdevents.kiln.dev/chain-id` names another.
import type { KObject } from '../api/meta.ts';
import { buildCDEvent, stableId, type CDEvent, type CDEventLink } from './cdevent.ts';
import { ANNOTATION_CHAIN_ID, runSubjectId, type EventSource } from './runs.ts';
import { revisionChainId } from './revision.ts';

/** The v0.5.1 types of GitOps events. */
export const GitOpsEventType = {
  EnvironmentCreated: 'dev.cdevents.environment.created.0.3.0',
  EnvironmentModified: 'dev.cdevents.environment.modified.0.3.0',
  ServiceDeployed: 'dev.cdevents.service.deployed.0.3.0',
  ServiceUpgraded: 'dev.cdevents.service.upgraded.0.3.0',
  ServiceRolledback: 'dev.cdevents.service.rolledback.0.3.0',
  ServiceRemoved: 'dev.cdevents.service.removed.0.3.0',
} as const;

/** The parts of an Application the events read (Argo CD's field names). */
export interface ApplicationLike extends KObject {
  spec?: {
    source?: { repoURL?: string; path?: string; targetRevision?: string; chart?: string };
    destination?: { server?: string; name?: string; namespace?: string };
  };
  status?: {
    history?: Array<{
      id?: number; revision?: string; revisions?: string[]; deployedAt?: string;
      source?: { repoURL?: string; path?: string; chart?: string }; sources?: Array<{ repoURL?: string; path?: string; chart?: string }>;
    }>;
  };
}

function isUri(s: string | undefined): s is string {
  if (!s) return false;
  try {
    return Boolean(new URL(s).protocol);
  } catch {
    return false;
  }
}

/**
 * The artifact a deployment deployed, as a purl: `pkg:github/<owner>/<repo>@<revision>` for GitHub
 * repositories, else `pkg:generic/<name>@<revision>?vcs_url=<repoURL>` (a Helm chart: `pkg:helm/<chart>@<version>`).
 */
export function deployedArtifactId(repoURL: string, revision: string, chart?: string): string {
  if (chart) return `pkg:helm/${encodeURIComponent(chart.toLowerCase())}@${encodeURIComponent(revision)}${repoURL ? `?repository_url=${encodeURIComponent(repoURL)}` : ''}`;
  const gh = /^(?:https?:\/\/|git@)github\.com[/:]([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(repoURL);
  if (gh) return `pkg:github/${gh[1].toLowerCase()}/${gh[2].toLowerCase()}@${encodeURIComponent(revision)}`;
  const name = repoURL.replace(/\.git$/, '').replace(/\/+$/, '').split(/[/:]/).pop() || 'source';
  return `pkg:generic/${encodeURIComponent(name.toLowerCase())}@${encodeURIComponent(revision)}?vcs_url=${encodeURIComponent(repoURL)}`;
}

/** The environment an Application deploys into: `<cluster>/<namespace>` (cluster: its name, else its server URL). */
export function environmentOf(app: ApplicationLike): { id: string; name: string; uri?: string } {
  const d = app.spec?.destination ?? {};
  const cluster = d.name || d.server || 'in-cluster';
  const ns = d.namespace || app.metadata.namespace || 'default';
  return { id: `${cluster}/${ns}`, name: ns, uri: isUri(d.server) ? d.server : undefined };
}

/** The events an Application's current state implies, in the order they happened. */
export function applicationEvents(app: ApplicationLike, src: EventSource): CDEvent[] {
  const uid = app.metadata.uid ?? '';
  const env = environmentOf(app);
  const environment = { id: env.id, source: src.source };
  const service = runSubjectId(app);
  // one revision per entry (a multi-source Application: its first source's)
  const history = [...(app.status?.history ?? [])]
    .map((h, i) => ({ id: h.id ?? i, revision: h.revision || h.revisions?.[0], deployedAt: h.deployedAt, source: h.source ?? h.sources?.[0] }))
    .filter((h) => h.revision && h.deployedAt).sort((a, b) => a.id - b.id);
  const out: CDEvent[] = [];
  let previous: string | undefined;
  history.forEach(function deployment(h, i) {
    const hid = String(h.id);
    const source = h.source ?? app.spec?.source ?? {};
    const chainId = app.metadata.annotations?.[ANNOTATION_CHAIN_ID] ?? (source.chart ? undefined : revisionChainId(source.repoURL, h.revision)) ?? stableId('chain', uid, hid);
    const timestamp = h.deployedAt!;
    const artifactId = deployedArtifactId(source.repoURL ?? '', h.revision!, source.chart);
    // history keeps the newest entries only: ids do not depend on what is still listed (the
    // kind of an entry is decided once, when it is first recorded)
    const first = h.id === 0;
    const envType = first ? GitOpsEventType.EnvironmentCreated : GitOpsEventType.EnvironmentModified;
    const envId = stableId(uid, hid, 'environment');
    out.push(buildCDEvent(envType, { id: envId, source: src.source, timestamp, chainId }, { id: env.id, content: compactContent({ name: env.name, uri: env.uri }) }));
    const rolledBack = !first && i > 0 && history.slice(0, i).some((e) => e.revision === h.revision) && h.revision !== history[i - 1].revision;
    const type = first ? GitOpsEventType.ServiceDeployed : rolledBack ? GitOpsEventType.ServiceRolledback : GitOpsEventType.ServiceUpgraded;
    const links: CDEventLink[] = [{ linkType: 'PATH', from: { contextId: envId } }];
    out.push(buildCDEvent(type, { id: stableId(uid, hid, 'service'), source: src.source, timestamp, chainId, links }, { id: service, content: { environment, artifactId } }));
    previous = artifactId;
  });
  if (app.metadata.deletionTimestamp && previous !== undefined) {
    out.push(buildCDEvent(GitOpsEventType.ServiceRemoved, { id: stableId(uid, GitOpsEventType.ServiceRemoved), source: src.source, timestamp: app.metadata.deletionTimestamp },
      { id: service, content: { environment } }));
  }
  return out;
}

function compactContent<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}
