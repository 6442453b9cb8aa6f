// `kiln run` notes the fields the executor that runs the steps does not honour: computeResources
// only when steps run as local processes (the podman executor gives containers their limits).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRIVILEGED_NOTICE } from '../api/hostpolicy.ts';
import type { KilnClient } from '../client/client.ts';
import { createPlainReporter } from './reporter.ts';
import { executorsOf, ignoredBy, runCommand } from './run.ts';
import type { RunOptions } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-run-executor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FILE = join(dir, 'task.yaml');
writeFileSync(FILE, `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  steps:
    - name: build
      image: busybox
      computeResources: {limits: {memory: 64Mi}}
      securityContext: {privileged: true, readOnlyRootFilesystem: true}
      script: 'true'
`);
const CAPS_FILE = join(dir, 'caps.yaml');
writeFileSync(CAPS_FILE, `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  steps:
    - name: serve
      image: busybox
      securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}
      script: 'true'
`);

const FALLBACK = '--executor auto: podman cannot run containers here (no podman): steps run as local processes (process executor)';

/** Runs FILE with a client that has `notices` and stops at the first apply; returns every notice. */
async function notesOf(executor: RunOptions['executor'], clientNotices: string[], stepCapabilities?: RunOptions['stepCapabilities'], file = FILE): Promise<string[]> {
  const notices: string[] = [];
  const reporter = createPlainReporter({ out: () => {}, err: () => {} });
  reporter.onNotice = (n) => notices.push(n);
  const client = {
    notices: async () => clientNotices,
    apply: async () => { throw new Error('stop here'); },
    close: async () => {},
  } as unknown as KilnClient;
  const error = await runCommand({ file, params: [], workspaces: [], reporter, allowPrivileged: true, executor, stepCapabilities, client: async () => client })
    .then(() => undefined, (e: unknown) => e);
  assert.match(String(error), /stop here/);
  return notices;
}

const LIMITS = `${FILE}:8:7: spec.steps[0].computeResources: accepted but not honoured when steps run as local processes`;
const READONLY_PROCESS = `${FILE}:9:43: spec.steps[0].securityContext.readOnlyRootFilesystem: accepted but not honoured when steps run as local processes`;
const READONLY_CONTAINER = `${FILE}:9:43: spec.steps[0].securityContext.readOnlyRootFilesystem: accepted but not honoured when steps run in containers`;
const CAPS_PROCESS = `${CAPS_FILE}:8:25: spec.steps[0].securityContext.capabilities: accepted but not honoured when steps run as local processes`;
const CAPS_CONTAINER = `${CAPS_FILE}:8:25: spec.steps[0].securityContext.capabilities: accepted but not honoured when steps run in containers`;

describe('kiln run: notes by executor', () => {
  const cases: Array<{ name: string; executor: RunOptions['executor']; notices: string[]; want: string[] }> = [
    { name: 'process (the default)', executor: undefined, notices: [], want: [PRIVILEGED_NOTICE, LIMITS, READONLY_PROCESS] },
    { name: '--executor process', executor: 'process', notices: [], want: [PRIVILEGED_NOTICE, LIMITS, READONLY_PROCESS] },
    { name: '--executor podman: limits honoured, privileged granted', executor: 'podman', notices: [], want: [READONLY_CONTAINER] },
    { name: '--executor auto that took podman', executor: 'auto', notices: [], want: [PRIVILEGED_NOTICE, READONLY_CONTAINER] },
    { name: '--executor auto that fell back to processes', executor: 'auto', notices: [FALLBACK], want: [PRIVILEGED_NOTICE, FALLBACK, LIMITS, READONLY_PROCESS] },
  ];
  for (const c of cases) test(c.name, async () => assert.deepEqual(await notesOf(c.executor, c.notices), c.want));

  test('--step-capabilities kubernetes: containers honour securityContext.capabilities', async () => {
    assert.deepEqual(await notesOf('podman', [], 'kubernetes', CAPS_FILE), []);
    assert.deepEqual(await notesOf('podman', [], 'none', CAPS_FILE), [CAPS_CONTAINER]);
    assert.deepEqual(await notesOf('auto', [FALLBACK], 'kubernetes', CAPS_FILE), [FALLBACK, CAPS_PROCESS]);
  });

  test('ignoredBy', () => {
    assert.equal(ignoredBy(undefined, [FALLBACK]), 'process');
    assert.equal(ignoredBy('podman', [FALLBACK]), 'container');
    assert.equal(ignoredBy('auto', ['something else']), 'container');
  });
});

describe('kiln run: which executor ran a run', () => {
  const tr = (name: string, executor?: string) => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: 'ns' }, status: executor ? { executor } : {} });
  test("a TaskRun's own status.executor; a PipelineRun's TaskRuns', each once", async () => {
    const asked: string[] = [];
    const client = {
      list: async (kind: string, ns: string, selector: string) => {
        asked.push(`${kind} ${ns} ${selector}`);
        return [tr('a', 'podman'), tr('b'), tr('c', 'podman'), tr('d', 'process')];
      },
    } as unknown as KilnClient;
    assert.deepEqual(await executorsOf(client, tr('x', 'podman')), ['podman']);
    assert.deepEqual(await executorsOf(client, tr('y')), []);
    assert.deepEqual(asked, []);
    assert.deepEqual(await executorsOf(client, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'p', namespace: 'ns' } }), ['podman', 'process']);
    assert.deepEqual(asked, ['TaskRun ns tekton.dev/pipelineRun=p']);
  });
});
