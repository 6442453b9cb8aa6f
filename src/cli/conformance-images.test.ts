import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readImageMap, replaceImages } from './conformance-images.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-images-map-'));
function file(text: string): string {
  const f = join(dir, `${Math.random().toString(36).slice(2)}.tsv`);
  writeFileSync(f, text);
  return f;
}

describe('conformance --images', () => {
  it('reads upstream → local pairs, skipping comments and blank lines', () => {
    const m = readImageMap(file('# a comment\n\nreg.io/a@sha256:1\tlocalhost/a\n  reg.io/b   localhost/b  \n'));
    assert.deepEqual([...m], [['reg.io/a@sha256:1', 'localhost/a'], ['reg.io/b', 'localhost/b']]);
  });

  it('names the file and line of a malformed or repeated entry, and a missing file', () => {
    const bad = file('x y\nonly-one\n');
    assert.throws(() => readImageMap(bad), (e: Error) => e.message === `${bad}:2: expected "upstream-image replacement-image", got "only-one"`);
    const twice = file('x y\nx z\n');
    assert.throws(() => readImageMap(twice), new RegExp(`${twice}:2: x is mapped twice`));
    assert.throws(() => readImageMap(join(dir, 'none.tsv')), /--images .*none\.tsv: ENOENT/);
  });

  it('replaces image fields at any depth (steps, sidecars, stepTemplate, embedded specs) not metadata or scripts', () => {
    const map = new Map([['up/a@sha256:1', 'localhost/a']]);
    const run = {
      kind: 'PipelineRun',
      metadata: { annotations: { image: 'up/a@sha256:1' } },
      spec: { pipelineSpec: { tasks: [{ taskSpec: { stepTemplate: { image: 'up/a@sha256:1' }, steps: [{ image: 'up/a@sha256:1', script: 'image: up/a@sha256:1' }, { image: 'other' }], sidecars: [{ image: 'up/a@sha256:1' }] } }] } },
    };
    const replaced = replaceImages(run, map);
    assert.deepEqual([...replaced], ['up/a@sha256:1']);
    const ts = run.spec.pipelineSpec.tasks[0].taskSpec;
    assert.deepEqual([ts.stepTemplate.image, ts.steps[0].image, ts.steps[1].image, ts.sidecars[0].image], ['localhost/a', 'localhost/a', 'other', 'localhost/a']);
    assert.equal(ts.steps[0].script, 'image: up/a@sha256:1');
    assert.equal(run.metadata.annotations.image, 'up/a@sha256:1');
  });
});
