// `kiln run` and the host policy: privileged steps are refused before anything runs unless
// `--allow-privileged`, which prints once that steps still get no capability; `kiln serve
// --allow-host-path` values become absolute directories.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRIVILEGED_NOTICE } from '../api/hostpolicy.ts';
import { CliError } from './exit.ts';
import { allowedHostPaths } from './main.ts';
import { createPlainReporter } from './reporter.ts';
import { runCommand } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-run-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FILE = join(dir, 'task.yaml');
writeFileSync(FILE, `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  volumes: [{name: v, hostPath: {path: /srv}}]
  steps:
    - name: build
      image: busybox
      securityContext: {privileged: true}
      script: 'true'
`);

/** Runs FILE; the client is never reached (it throws), so what happened before it shows. */
async function attempt(allowPrivileged: boolean): Promise<{ error: unknown; notices: string[]; clientAsked: boolean }> {
  const notices: string[] = [];
  const reporter = createPlainReporter({ out: (s) => notices.push(s), err: (s) => notices.push(s) });
  reporter.onNotice = (n) => notices.push(n);
  let clientAsked = false;
  const error = await runCommand({
    file: FILE, params: [], workspaces: [], reporter, allowPrivileged,
    client: async () => { clientAsked = true; throw new Error('no client here'); },
  }).then(() => undefined, (e: unknown) => e);
  return { error, notices, clientAsked };
}

describe('kiln run: privileged steps', () => {
  test('refused before anything runs, naming file:line and the field; hostPath is fine', async () => {
    const { error, clientAsked } = await attempt(false);
    assert.equal(clientAsked, false);
    assert.ok(error instanceof CliError, String(error));
    assert.equal(error.code, 2);
    assert.equal(error.message, '1 error(s) before anything runs');
    assert.deepEqual(error.details, [
      `${FILE}:9:25: spec.steps[0].securityContext.privileged: Forbidden: step "build" asks for privileged, which is not allowed here (kiln run --allow-privileged; steps never get capabilities)`,
    ]);
  });
  test('--allow-privileged: accepted, with the notice that steps get no capability', async () => {
    const { error, notices, clientAsked } = await attempt(true);
    assert.equal(clientAsked, true);
    assert.match(String(error), /no client here/);
    assert.deepEqual(notices.filter((n) => n === PRIVILEGED_NOTICE), [PRIVILEGED_NOTICE]);
  });
});

describe('kiln serve --allow-host-path', () => {
  const cases: Array<{ name: string; values: string[]; want: string[] | undefined }> = [
    { name: 'absent', values: [], want: undefined },
    { name: 'repeated and comma-separated', values: ['/srv/ci,/data', '/cache'], want: ['/srv/ci', '/data', '/cache'] },
    { name: 'relative to the working directory, normalised', values: ['work/../ci/', ' /x '], want: ['/home/me/ci', '/x'] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(allowedHostPaths(c.values, '/home/me'), c.want));
  test('an empty value is a usage error', () => {
    assert.throws(() => allowedHostPaths([',']), (e: unknown) => e instanceof CliError && e.code === 2 && /expected a directory/.test(e.message));
  });
});
