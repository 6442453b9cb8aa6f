import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePush, revisionMatches, sameRepoKey } from './gitwebhook.ts';

describe('the Git webhook: pushes, repositories and revisions as Argo CD matches them', () => {
  it('reads GitHub, GitLab, Bitbucket cloud and server pushes', () => {
    const gh = parsePush({ 'x-github-event': 'push' }, { ref: 'refs/heads/main', repository: { html_url: 'https://github.com/o/r', clone_url: 'https://github.com/o/r.git', default_branch: 'main' } });
    assert.deepEqual(gh, { provider: 'github', urls: ['https://github.com/o/r', 'https://github.com/o/r.git'], ref: 'refs/heads/main', defaultBranch: 'main' });
    assert.equal(parsePush({ 'x-github-event': 'issues' }, {}), 'GitHub event issues ignored');
    const gl = parsePush({ 'x-gitlab-event': 'Push Hook' }, { ref: 'refs/heads/dev', project: { web_url: 'https://gitlab.com/g/p', default_branch: 'main' } }) as { urls: string[]; ref: string };
    assert.deepEqual([gl.urls, gl.ref], [['https://gitlab.com/g/p'], 'refs/heads/dev']);
    const bb = parsePush({ 'x-event-key': 'repo:push' }, { repository: { full_name: 'w/r', links: { html: { href: 'https://bitbucket.org/w/r' } } }, push: { changes: [{ new: { type: 'tag', name: 'v1' } }] } }) as { ref: string };
    assert.equal(bb.ref, 'refs/tags/v1');
    const bbs = parsePush({ 'x-event-key': 'repo:refs_changed' }, { repository: { links: { clone: [{ href: 'ssh://git@bbs.example:7999/p/r.git' }] } }, changes: [{ ref: { id: 'refs/heads/main' } }] }) as { urls: string[] };
    assert.deepEqual(bbs.urls, ['ssh://git@bbs.example:7999/p/r.git']);
    assert.match(parsePush({}, {}) as string, /not a push/);
  });

  it('compares repositories whatever the scheme, user, port, case, .git or scp form', () => {
    const k = sameRepoKey('https://github.com/O/R.git');
    for (const u of ['git@github.com:o/r.git', 'ssh://git@github.com/o/r', 'https://user@github.com/o/r/', 'http://github.com:443/o/r']) assert.equal(sameRepoKey(u), k, u);
    assert.notEqual(sameRepoKey('https://github.com/o/other'), k);
  });

  it('matches the target revision: a branch, a tag, HEAD for the default branch', () => {
    const push = { provider: 'github', urls: [], ref: 'refs/heads/main', defaultBranch: 'main' };
    assert.ok(revisionMatches('main', push));
    assert.ok(revisionMatches('HEAD', push));
    assert.ok(revisionMatches(undefined, push));
    assert.ok(!revisionMatches('dev', push));
    assert.ok(!revisionMatches('HEAD', { ...push, ref: 'refs/heads/feature' }));
    assert.ok(revisionMatches('v1', { ...push, ref: 'refs/tags/v1' }));
  });
});
