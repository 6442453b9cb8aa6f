import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun } from '../api/taskrun.types.ts';
import { artifactEvents, imagesOf, ociPurl } from './artifacts.ts';
import { CDEventType } from './cdevent.ts';
import { runEventId } from './runs.ts';
import { cdeventSchemas } from './schemas.testing.ts';

const schemas = cdeventSchemas();
const src = { source: '/kiln/test', apiBase: 'https://kiln.example' };
const DIGEST = 'sha256:244fd47e07d1004f0aed9c244fd47e07d1004f0aed9c244fd47e07d1004f0a';

test('ociPurl follows the purl-spec oci type', () => {
  const cases = [
    { name: 'tag', url: 'registry.example/team/app:1.0', want: `pkg:oci/app@sha256%3A${DIGEST.slice(7)}?repository_url=registry.example/team/app&tag=1.0` },
    { name: 'no tag', url: 'registry.example:5000/App', want: `pkg:oci/app@sha256%3A${DIGEST.slice(7)}?repository_url=registry.example%3A5000/App` },
    { name: 'digest in url', url: `docker.io/library/debian@${DIGEST}`, want: `pkg:oci/debian@sha256%3A${DIGEST.slice(7)}?repository_url=docker.io/library/debian` },
  ];
  for (const c of cases) assert.equal(ociPurl({ url: c.url, digest: DIGEST }), c.want, c.name);
});

test('imagesOf pairs IMAGE_URL/IMAGE_DIGEST and <X>_IMAGE_URL/<X>_IMAGE_DIGEST', () => {
  assert.deepEqual(imagesOf([
    { name: 'IMAGE_URL', value: 'r/a:1' }, { name: 'IMAGE_DIGEST', value: `${DIGEST}\n` },
    { name: 'WEB_IMAGE_DIGEST', value: DIGEST }, { name: 'WEB_IMAGE_URL', value: 'r/web' },
    { name: 'LONE_IMAGE_DIGEST', value: DIGEST },
  ]), [{ url: 'r/a:1', digest: DIGEST }, { url: 'r/web', digest: DIGEST }]);
});

test('a successful TaskRun with IMAGE_URL + IMAGE_DIGEST yields artifact packaged then published, the purl as subject', () => {
  const run: TaskRun = {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'img', namespace: 'ci', uid: 'u1' }, spec: {},
    status: { startTime: '2024-05-01T10:00:00Z', completionTime: '2024-05-01T10:01:00Z', conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }],
      results: [{ name: 'IMAGE_URL', value: 'registry.example/team/app:1.0' }, { name: 'IMAGE_DIGEST', value: DIGEST }] },
  };
  const events = artifactEvents(run, src);
  assert.deepEqual(events.map((e) => e.context.type), [CDEventType.ArtifactPackaged, CDEventType.ArtifactPublished]);
  if (schemas) for (const e of events) assert.deepEqual(schemas.errors(e), []);
  assert.equal(events[0].subject.id, ociPurl({ url: 'registry.example/team/app:1.0', digest: DIGEST }));
  assert.deepEqual(events[0].context.links, [{ linkType: 'PATH', from: { contextId: runEventId('u1', CDEventType.TaskRunFinished, 0) } }]);
  const failed = structuredClone(run);
  failed.status!.conditions![0].status = 'False';
  assert.deepEqual(artifactEvents(failed, src), []);
});
