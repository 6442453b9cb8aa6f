import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CDEventType } from './cdevent.ts';
import { triggerEventId } from './runs.ts';
import { scmEvents } from './scm.ts';
import { cdeventSchemas } from './schemas.testing.ts';

const schemas = cdeventSchemas();
const ZERO = '0'.repeat(40);
const SHA = 'a'.repeat(40);
const ghRepo = { name: 'app', full_name: 'acme/app', owner: { login: 'acme' }, html_url: 'https://github.com/acme/app', clone_url: 'https://github.com/acme/app.git' };
const glProject = { name: 'app', namespace: 'acme', path_with_namespace: 'acme/app', web_url: 'https://gitlab.com/acme/app', git_http_url: 'https://gitlab.com/acme/app.git' };

test('pushes and merged pull/merge requests yield change, repository and branch events', () => {
  const cases = [
    { name: 'GitHub push', header: { 'X-GitHub-Event': 'push' }, body: { ref: 'refs/heads/main', before: SHA, after: SHA, repository: ghRepo }, types: [CDEventType.RepositoryModified] },
    { name: 'GitHub push of a new branch', header: { 'x-github-event': 'push' }, body: { ref: 'refs/heads/feat', created: true, before: ZERO, after: SHA, repository: ghRepo }, types: [CDEventType.RepositoryModified, CDEventType.BranchCreated] },
    { name: 'GitHub branch deletion', header: { 'X-GitHub-Event': ['push'] }, body: { ref: 'refs/heads/feat', deleted: true, before: SHA, after: ZERO, repository: ghRepo }, types: [CDEventType.RepositoryModified, CDEventType.BranchDeleted] },
    { name: 'GitHub merged PR', header: { 'X-GitHub-Event': 'pull_request' }, body: { action: 'closed', pull_request: { number: 7, merged: true }, repository: ghRepo }, types: [CDEventType.ChangeMerged] },
    { name: 'GitHub opened PR', header: { 'X-GitHub-Event': 'pull_request' }, body: { action: 'opened', pull_request: { number: 8, title: 'Add x' }, repository: ghRepo }, types: [CDEventType.ChangeCreated] },
    { name: 'GitHub closed unmerged PR', header: { 'X-GitHub-Event': 'pull_request' }, body: { action: 'closed', pull_request: { number: 9, merged: false }, repository: ghRepo }, types: [] },
    { name: 'GitLab push of a new branch', header: { 'X-Gitlab-Event': 'Push Hook' }, body: { object_kind: 'push', ref: 'refs/heads/feat', before: ZERO, after: SHA, project: glProject }, types: [CDEventType.RepositoryModified, CDEventType.BranchCreated] },
    { name: 'GitLab merged MR', header: { 'X-Gitlab-Event': 'Merge Request Hook' }, body: { object_kind: 'merge_request', object_attributes: { iid: 3, action: 'merge' }, project: glProject }, types: [CDEventType.ChangeMerged] },
    { name: 'not a forge', header: {}, body: { ref: 'refs/heads/main' }, types: [] },
    { name: 'GitHub ping', header: { 'X-GitHub-Event': 'ping' }, body: { repository: ghRepo }, types: [] },
  ];
  for (const c of cases) {
    const events = scmEvents({ deliveryId: 'd-1', header: c.header, body: c.body, timestamp: '2024-05-01T10:00:00Z' }, '/kiln/test');
    assert.deepEqual(events.map((e) => e.context.type), c.types, c.name);
    if (schemas) for (const e of events) assert.deepEqual(schemas.errors(e), [], c.name);
    if (events.length) assert.equal(events[0].context.id, triggerEventId('d-1'), c.name);
    if (events.length > 1) assert.deepEqual(events[1].context.links, [{ linkType: 'PATH', from: { contextId: events[0].context.id } }], c.name);
  }
});

test('what the events say of the repository and the change', () => {
  const [repo, branch] = scmEvents({ deliveryId: 'd', header: { 'X-GitHub-Event': 'push' }, body: { ref: 'refs/heads/feat', created: true, repository: ghRepo }, timestamp: '2024-05-01T10:00:00Z' }, '/k');
  assert.deepEqual(repo.subject, { id: 'acme/app', source: 'https://github.com', content: { name: 'app', owner: 'acme', uri: 'https://github.com/acme/app.git', viewUrl: 'https://github.com/acme/app' } });
  assert.deepEqual(branch.subject, { id: 'acme/app/feat', source: 'https://github.com', content: { repository: { id: 'acme/app', source: 'https://github.com' } } });
  const [merged] = scmEvents({ deliveryId: 'd', header: { 'X-Gitlab-Event': 'Merge Request Hook' }, body: { object_kind: 'merge_request', object_attributes: { iid: 3, action: 'merge' }, project: glProject }, timestamp: '2024-05-01T10:00:00Z' }, '/k');
  assert.equal(merged.subject.id, 'acme/app/merge_requests/3');
});
