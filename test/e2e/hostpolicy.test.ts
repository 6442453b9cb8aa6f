// End-to-end: a real `kiln serve` refuses hostPath and privileged unless its operator allows them;
// with --allow-host-path=DIR a run binds a directory beneath DIR and its step's file lands there,
// while a link out of DIR is refused.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

const TASKRUNS = '/apis/tekton.dev/v1/namespaces/default/taskruns';
const finished = (o: any) => o?.status?.conditions?.find((c: any) => c.type === 'Succeeded' && c.status !== 'Unknown');

function taskRun(name: string, path: string, privileged = false): object {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name },
    spec: {
      workspaces: [{ name: 'out', hostPath: { path } }],
      taskSpec: { workspaces: [{ name: 'out' }], steps: [{ name: 'write', image: 'busybox', script: 'echo built > $(workspaces.out.path)/artifact', ...(privileged ? { securityContext: { privileged: true } } : {}) }] },
    },
  };
}

describe('kiln serve and the host', () => {
  it('without flags: a hostPath binding and a privileged step are refused with 422 naming the field', async () => {
    const s = await startServe(tempDir('kiln-hp-'));
    servers.push(s);
    const r = await api(s, 'POST', TASKRUNS, taskRun('r', '/tmp'));
    assert.equal(r.status, 422, JSON.stringify(r.json));
    assert.equal(r.json.details.causes[0].field, 'spec.workspaces[0].hostPath');
    assert.match(r.json.message, /spec\.workspaces\[0\]\.hostPath: Forbidden: hostPath is not allowed on this server \(kiln serve --allow-host-path\)/);
    const p = await api(s, 'POST', TASKRUNS, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'p' }, spec: { taskSpec: { steps: [{ image: 'busybox', script: 'true', securityContext: { privileged: true } }] } } });
    assert.equal(p.status, 422, JSON.stringify(p.json));
    assert.equal(p.json.details.causes[0].field, 'spec.taskSpec.steps[0].securityContext.privileged');
    await s.stop();
  });

  it('--allow-host-path=DIR: a run beneath DIR writes there; a link out of DIR is refused', async () => {
    const root = tempDir('kiln-hp-allowed-');
    const allowed = join(root, 'allowed');
    mkdirSync(allowed);
    symlinkSync('/etc', join(allowed, 'link'));
    const s = await startServe(tempDir('kiln-hp-'), ['--insecure-loopback-only', `--allow-host-path=${allowed}`, '--allow-privileged']);
    servers.push(s);
    const created = await api(s, 'POST', TASKRUNS, taskRun('inside', join(allowed, 'out'), true));
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const done = await until('the TaskRun to finish', async () => finished((await api(s, 'GET', `${TASKRUNS}/inside`)).json));
    assert.equal(done.status, 'True', done.message);
    assert.equal(readFileSync(join(allowed, 'out/artifact'), 'utf8'), 'built\n');
    const refused = await api(s, 'POST', TASKRUNS, taskRun('outside', join(allowed, 'link')));
    assert.equal(refused.status, 422, JSON.stringify(refused.json));
    assert.equal(refused.json.details.causes[0].field, 'spec.workspaces[0].hostPath.path');
    assert.match(refused.json.details.causes[0].message, /\(it resolves to "\/etc"\) is not beneath a directory this server allows/);
    await s.stop();
  });
});
