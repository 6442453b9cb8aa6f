import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationEvents, type ApplicationLike } from './gitops.ts';
import { ANNOTATION_CHAIN_ID } from './runs.ts';
import { repositoryKey, revisionChainId } from './revision.ts';
import { scmEvents } from './scm.ts';

const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const OTHER = 'c'.repeat(40);

test('one repository, however its URL is written; other text is no repository', () => {
  const cases = [
    { name: 'https with .git', url: 'https://github.com/Acme/App.git', key: 'github.com/acme/app' },
    { name: 'https, trailing slash', url: 'https://github.com/acme/app/', key: 'github.com/acme/app' },
    { name: 'scp-like ssh', url: 'git@github.com:acme/app.git', key: 'github.com/acme/app' },
    { name: 'ssh URL with user and port', url: 'ssh://git@github.com:22/acme/app', key: 'github.com/acme/app' },
    { name: 'user and token in https', url: 'https://bot:tok@gitlab.example/group/sub/app.git', key: 'gitlab.example/group/sub/app' },
    { name: 'a local repository', url: 'file:///srv/git/App.git', key: 'file:/srv/git/app' },
    { name: 'no path', url: 'https://github.com', key: undefined },
    { name: 'not a URL', url: 'just text', key: undefined },
    { name: 'empty', url: '', key: undefined },
  ];
  for (const c of cases) assert.equal(repositoryKey(c.url), c.key, c.name);
  assert.equal(revisionChainId('git@github.com:acme/app.git', SHA), revisionChainId('https://github.com/acme/app', SHA.toUpperCase()));
  assert.notEqual(revisionChainId('https://github.com/acme/app', SHA), revisionChainId('https://github.com/acme/app', OTHER));
  assert.notEqual(revisionChainId('https://github.com/acme/app', SHA), revisionChainId('https://github.com/acme/lib', SHA));
  for (const rev of ['0'.repeat(40), 'main', 'v1.2.0', '', undefined]) assert.equal(revisionChainId('https://github.com/acme/app', rev), undefined, String(rev));
});

const ghRepo = { name: 'app', full_name: 'acme/app', owner: { login: 'acme' }, html_url: 'https://github.com/acme/app', clone_url: 'https://github.com/acme/app.git' };
const at = '2024-05-01T10:00:00Z';
const push = (after: string, deliveryId = 'd-1') => scmEvents({ deliveryId, header: { 'X-GitHub-Event': 'push' }, body: { ref: 'refs/heads/main', before: OTHER, after, repository: ghRepo }, timestamp: at }, '/kiln');

function deploying(revision: string, source: { repoURL: string; chart?: string }, annotations?: Record<string, string>): ApplicationLike {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'app', namespace: 'argocd', uid: 'app-uid', annotations },
    spec: { source, destination: { server: 'https://kubernetes.default.svc', namespace: 'prod' } },
    status: { history: [{ id: 0, revision, deployedAt: at }] },
  };
}

test('a GitOps deployment of the pushed commit is on the push\'s chain (and so on its PipelineRun\'s and TaskRuns\'); others are not', () => {
  const [pushed] = push(SHA);
  const deployed = applicationEvents(deploying(SHA, { repoURL: 'git@github.com:acme/app.git' }), { source: '/kiln', apiBase: 'https://kiln' });
  assert.deepEqual(deployed.map((e) => e.context.chainId), [pushed.context.chainId, pushed.context.chainId]);
  assert.equal(push(SHA, 'd-2')[0].context.chainId, pushed.context.chainId, 'the delivery of one commit, whichever webhook delivery said so');
  const elsewhere = applicationEvents(deploying(OTHER, { repoURL: 'https://github.com/acme/app' }), { source: '/kiln', apiBase: 'https://kiln' });
  assert.notEqual(elsewhere[0].context.chainId, pushed.context.chainId);
  const chart = applicationEvents(deploying(SHA, { repoURL: 'https://github.com/acme/app', chart: 'app' }), { source: '/kiln', apiBase: 'https://kiln' });
  assert.notEqual(chart[0].context.chainId, pushed.context.chainId, 'a chart version is no commit');
  const named = applicationEvents(deploying(SHA, { repoURL: 'https://github.com/acme/app' }, { [ANNOTATION_CHAIN_ID]: 'mine' }), { source: '/kiln', apiBase: 'https://kiln' });
  assert.equal(named[0].context.chainId, 'mine', 'the annotation still wins');
});

test('which commit a delivery delivers: a push\'s new head, a merged request\'s merge commit, an opened one\'s head; a deletion none', () => {
  const pr = (action: string, extra: Record<string, unknown>) => scmEvents({ deliveryId: `pr-${action}`, header: { 'X-GitHub-Event': 'pull_request' }, body: { action, pull_request: { number: 7, ...extra }, repository: ghRepo }, timestamp: at }, '/kiln')[0];
  assert.equal(pr('closed', { merged: true, merge_commit_sha: SHA }).context.chainId, revisionChainId(ghRepo.clone_url, SHA));
  assert.equal(pr('opened', { head: { sha: OTHER } }).context.chainId, revisionChainId(ghRepo.clone_url, OTHER));
  const glMerge = scmEvents({ deliveryId: 'gl', header: { 'X-Gitlab-Event': 'Merge Request Hook' }, body: { object_kind: 'merge_request', object_attributes: { iid: 3, action: 'merge', merge_commit_sha: SHA }, project: { name: 'app', path_with_namespace: 'acme/app', web_url: 'https://gitlab.com/acme/app', git_http_url: 'https://gitlab.com/acme/app.git' } }, timestamp: at }, '/kiln')[0];
  assert.equal(glMerge.context.chainId, revisionChainId('git@gitlab.com:acme/app.git', SHA));
  const [deleted] = push('0'.repeat(40), 'del');
  const [again] = push('0'.repeat(40), 'del-2');
  assert.notEqual(deleted.context.chainId, again.context.chainId, 'no commit delivered: the chain is the delivery\'s own');
});
