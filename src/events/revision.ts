// The chain of a delivery keyed by what it delivers: one commit of one repository. A push (or a
// merged pull/merge request) of commit C to repository R, the PipelineRun it starts, that run's
// TaskRuns, and an Argo CD-style Application deploying C of R (its `status.history` revision)
// share one chainId without anything linking them by hand.
import { stableId } from './cdevent.ts';

/**
 * A repository URL in one form for comparison: host and path, lowercased, without scheme, user,
 * port, `.git` or trailing `/` (`https://github.com/Acme/App.git`, `git@github.com:acme/app`
 * and `ssh://git@github.com:22/acme/app` are all `github.com/acme/app`; `file:///srv/app.git` is
 * `file:/srv/app`); undefined for other text.
 */
export function repositoryKey(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)([^\s]+)$/.exec(url);
  let host: string;
  let path: string;
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) [host, path] = [scp[1], scp[2]];
  else {
    try {
      const u = new URL(url);
      if (!u.hostname && u.protocol !== 'file:') return undefined;
      [host, path] = [u.hostname || 'file:', decodeURIComponent(u.pathname)];
    } catch {
      return undefined;
    }
  }
  const clean = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/i, '');
  return clean ? `${host}/${clean}`.toLowerCase() : undefined;
}

const SHA = /^[0-9a-f]{7,64}$/i;
const ZERO = /^0+$/;

/** The chainId of the delivery of commit `revision` of `repoURL`, when both are usable (a commit id, not all zeros). */
export function revisionChainId(repoURL: string | undefined, revision: string | undefined): string | undefined {
  const repo = repositoryKey(repoURL);
  if (!repo || !revision || !SHA.test(revision) || ZERO.test(revision)) return undefined;
  return stableId('chain', 'revision', repo, revision.toLowerCase());
}
