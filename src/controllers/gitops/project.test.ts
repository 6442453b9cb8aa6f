import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kindPermitted, permitted } from './project.ts';

const project = (spec: object) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p', namespace: 'argocd' }, spec });
const src = (repoURL: string) => [{ repoURL }];
const IN = 'https://kubernetes.default.svc';

describe('AppProject limits', () => {
  it('allows what its globs allow', () => {
    const p = project({ sourceRepos: ['https://git.example/team/*'], destinations: [{ server: IN, namespace: 'team-*' }] });
    assert.equal(permitted(p, src('https://git.example/team/app.git'), { server: IN, namespace: 'team-a' }), undefined);
  });
  it('refuses a repository outside sourceRepos, naming it', () => {
    const p = project({ sourceRepos: ['https://git.example/team/*'], destinations: [{ server: '*', namespace: '*' }] });
    assert.match(permitted(p, src('https://evil.example/x.git'), { server: IN, namespace: 'a' })!, /repo https:\/\/evil\.example\/x\.git is not permitted in project 'p'/);
  });
  it('refuses a destination outside destinations, and honours negations', () => {
    const p = project({ sourceRepos: ['*', '!https://git.example/secret/*'], destinations: [{ server: IN, namespace: 'team-a' }, { name: 'prod', namespace: '*' }] });
    assert.match(permitted(p, src('https://git.example/x'), { server: IN, namespace: 'team-b' })!, /destination \{https:\/\/kubernetes\.default\.svc team-b\} is not permitted/);
    assert.equal(permitted(p, src('https://git.example/x'), { name: 'prod', namespace: 'anything' }), undefined);
    assert.match(permitted(p, src('https://git.example/secret/a'), { server: IN, namespace: 'team-a' })!, /not permitted/);
  });
  it('a project with no lists allows nothing', () => {
    assert.ok(permitted(project({}), src('https://git.example/x'), { server: IN, namespace: 'a' }));
  });
  it('cluster-scoped kinds only from clusterResourceWhitelist, minus its blacklist', () => {
    assert.match(kindPermitted(project({}), '', 'Namespace', false)!, /resource :Namespace is not permitted in project p/);
    const p = project({ clusterResourceWhitelist: [{ group: '*', kind: '*' }], clusterResourceBlacklist: [{ group: 'rbac.authorization.k8s.io', kind: 'Cluster*' }] });
    assert.equal(kindPermitted(p, '', 'Namespace', false), undefined);
    assert.match(kindPermitted(p, 'rbac.authorization.k8s.io', 'ClusterRole', false)!, /rbac\.authorization\.k8s\.io:ClusterRole is not permitted/);
  });
  it('namespaced kinds: all unless a whitelist is given, minus the blacklist', () => {
    assert.equal(kindPermitted(project({}), 'apps', 'Deployment', true), undefined);
    const black = project({ namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }] });
    assert.match(kindPermitted(black, '', 'Secret', true)!, /resource :Secret is not permitted/);
    assert.equal(kindPermitted(black, '', 'ConfigMap', true), undefined);
    const white = project({ namespaceResourceWhitelist: [{ group: 'apps', kind: '*' }] });
    assert.equal(kindPermitted(white, 'apps', 'Deployment', true), undefined);
    assert.match(kindPermitted(white, '', 'ConfigMap', true)!, /:ConfigMap is not permitted/);
    assert.ok(kindPermitted(project({ namespaceResourceWhitelist: [] }), 'apps', 'Deployment', true));
  });
});
