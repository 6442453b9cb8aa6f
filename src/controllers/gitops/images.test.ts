import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { imagesOf } from './images.ts';

describe('status.summary.images', () => {
  it('collects the images of pods, workload templates and cron job templates, sorted and unique', () => {
    const got = imagesOf([
      { kind: 'Deployment', spec: { template: { spec: { initContainers: [{ image: 'busybox:1' }], containers: [{ image: 'nginx:1.27' }, { image: 'sidecar:2' }] } } } },
      { kind: 'Pod', spec: { containers: [{ image: 'nginx:1.27' }] } },
      { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: 'backup:3' }] } } } } } },
      { kind: 'ConfigMap', data: { image: 'not-an-image' } },
      { kind: 'Deployment', spec: { template: { spec: { containers: 'broken' } } } },
    ]);
    assert.deepEqual(got, ['backup:3', 'busybox:1', 'nginx:1.27', 'sidecar:2']);
  });
});
