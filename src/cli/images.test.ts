import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { hostImagesNote, imagesIn } from './images.ts';

const o = (kind: string, spec: unknown): KObject => ({ apiVersion: 'tekton.dev/v1', kind, metadata: { name: 'x' }, spec } as KObject);

test('imagesIn: steps, sidecars and stepTemplates of Tasks, inline tasks of Pipelines and runs, StepActions; sorted, once each', () => {
  const objects = [
    o('Task', { steps: [{ image: 'golang:1.22' }, { image: 'alpine' }], sidecars: [{ image: 'postgres:16' }], stepTemplate: { image: 'alpine' } }),
    o('Pipeline', { tasks: [{ taskSpec: { steps: [{ image: 'node:20' }] } }, { pipelineSpec: { tasks: [{ taskSpec: { steps: [{ image: 'python:3' }] } }] } }], finally: [{ taskSpec: { steps: [{ image: 'busybox' }] } }] }),
    o('TaskRun', { taskSpec: { steps: [{ image: ' ruby ' }, { script: 'no image' }] } }),
    o('PipelineRun', { pipelineRef: { name: 'p' } }),
    o('StepAction', { image: 'curlimages/curl' }),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { image: 'nope' } } as KObject,
  ];
  assert.deepEqual(imagesIn(objects), ['alpine', 'busybox', 'curlimages/curl', 'golang:1.22', 'node:20', 'postgres:16', 'python:3', 'ruby']);
});

test('hostImagesNote: none for no image; names at most max, then counts the rest', () => {
  assert.equal(hostImagesNote([]), undefined);
  assert.equal(hostImagesNote(['a', 'b', 'c'], 2), 'steps run on this host with its tools, not in their images (a, b and 1 more): the process executor ignores images; --executor podman runs each step in its image');
});
