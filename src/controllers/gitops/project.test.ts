import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { permitted } from './project.ts';

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
});
