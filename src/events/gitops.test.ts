import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationEvents, deployedArtifactId, environmentOf, GitOpsEventType, type ApplicationLike } from './gitops.ts';
import { cdeventSchemas } from './schemas.testing.ts';

const schemas = cdeventSchemas();
const src = { source: 'https://kiln.example', apiBase: 'https://kiln.example' };

function app(history: Array<{ id: number; revision: string; deployedAt: string }>, deleting?: string): ApplicationLike {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
    metadata: { name: 'guestbook', namespace: 'argocd', uid: 'app-1', ...(deleting ? { deletionTimestamp: deleting } : {}) },
    spec: { source: { repoURL: 'https://github.com/argoproj/argocd-example-apps.git', path: 'guestbook' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' } },
    status: { history },
  };
}

const short = (t: string) => t.replace(/^dev\.cdevents\.|\.\d+\.\d+\.\d+$/g, '');

test('each deployment in status.history: created+deployed, then modified+upgraded, rolledback to an earlier revision; removed when deleting; schema-valid and stable', () => {
  const h = [
    { id: 0, revision: 'aaa1', deployedAt: '2024-05-01T10:00:00Z' },
    { id: 1, revision: 'bbb2', deployedAt: '2024-05-02T10:00:00Z' },
    { id: 2, revision: 'aaa1', deployedAt: '2024-05-03T10:00:00Z' },
  ];
  const events = applicationEvents(app(h, '2024-05-04T10:00:00Z'), src);
  assert.deepEqual(events.map((e) => short(e.context.type)), [
    'environment.created', 'service.deployed', 'environment.modified', 'service.upgraded', 'environment.modified', 'service.rolledback', 'service.removed',
  ]);
  if (schemas) for (const e of events) assert.deepEqual(schemas.errors(e), [], e.context.type);
  assert.deepEqual(events[1].subject, { id: 'argocd/guestbook', content: { environment: { id: 'https://kubernetes.default.svc/guestbook', source: src.source }, artifactId: 'pkg:github/argoproj/argocd-example-apps@aaa1' } });
  assert.deepEqual(events[0].subject.content, { name: 'guestbook', uri: 'https://kubernetes.default.svc' });
  assert.deepEqual(events[1].context.links, [{ linkType: 'PATH', from: { contextId: events[0].context.id } }]);
  assert.deepEqual(applicationEvents(structuredClone(app(h, '2024-05-04T10:00:00Z')), src), events);
  assert.equal(new Set(events.map((e) => e.context.id)).size, events.length);
  assert.deepEqual(applicationEvents(app([]), src), []);
  assert.equal(events[1].context.type, GitOpsEventType.ServiceDeployed);
  // history trimmed to its newest entries: the entries still listed keep their ids
  const trimmed = applicationEvents(app(h.slice(1)), src);
  assert.deepEqual(trimmed.map((e) => e.context.id), events.slice(2, 6).map((e) => e.context.id));
  // a multi-source Application: its first source's revision
  const multi = app([]);
  multi.status = { history: [{ id: 0, revisions: ['r1', 'r2'], deployedAt: '2024-05-01T10:00:00Z', sources: [{ repoURL: 'https://github.com/a/b' }, { repoURL: 'https://github.com/a/c' }] }] };
  assert.equal(applicationEvents(multi, src)[1].subject.content.artifactId, 'pkg:github/a/b@r1');
});

test('artifact ids and environments', () => {
  assert.equal(deployedArtifactId('git@github.com:Acme/App.git', 'abc'), 'pkg:github/acme/app@abc');
  assert.equal(deployedArtifactId('https://git.example/team/app.git', 'abc'), 'pkg:generic/app@abc?vcs_url=https%3A%2F%2Fgit.example%2Fteam%2Fapp.git');
  assert.equal(deployedArtifactId('https://charts.example', '1.2.0', 'Redis'), 'pkg:helm/redis@1.2.0?repository_url=https%3A%2F%2Fcharts.example');
  assert.deepEqual(environmentOf({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', namespace: 'ns' }, spec: { destination: { name: 'prod' } } }), { id: 'prod/ns', name: 'ns', uri: undefined });
});
