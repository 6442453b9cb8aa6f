import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../api/meta.ts';
import { CliError } from './exit.ts';
import { describe as describeObject, kindArg, render, table } from './remote.ts';
import { resolveConnection } from './remote-commands.ts';

const now = new Date('2026-01-01T01:00:00Z');
const run = (name: string, status: string, reason: string): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: { startTime: '2026-01-01T00:59:00Z', completionTime: '2026-01-01T00:59:30Z', conditions: [{ type: 'Succeeded', status, reason, message: 'Tasks Completed: 1' }] },
});

describe('kindArg', () => {
  const cases = [
    { name: 'short name', in: 'tr', want: 'TaskRun' },
    { name: 'plural', in: 'pipelineruns', want: 'PipelineRun' },
    { name: 'kind, any case', in: 'task', want: 'Task' },
    { name: 'core kind', in: 'cm', want: 'ConfigMap' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(kindArg(c.in), c.want));
  it('an unknown kind is invalid input naming the kinds', () => {
    assert.throws(() => kindArg('pods'), (e: unknown) => e instanceof CliError && e.code === 2 && /unknown kind "pods"/.test(e.message));
  });
});

describe('table and render', () => {
  it('runs get kubectl-like columns', () => {
    assert.deepEqual(table([run('a', 'True', 'Succeeded'), run('bb', 'False', 'Failed')], false, now), [
      'NAME   SUCCEEDED   REASON      STARTTIME   COMPLETIONTIME',
      'a      True        Succeeded   60s         30s',
      'bb     False       Failed      60s         30s',
    ]);
  });
  it('wide adds duration and message', () => {
    assert.match(table([run('a', 'True', 'Succeeded')], true, now)[1], /30\.0s\s+Tasks Completed: 1$/);
  });
  it('other kinds get NAME and AGE', () => {
    assert.deepEqual(table([{ apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 't', creationTimestamp: '2026-01-01T00:00:00Z' } }], false, now), ['NAME   AGE', 't      60m']);
  });
  it('json of one object is the object; of several a List', () => {
    assert.equal(JSON.parse(render([run('a', 'True', 'S')], 'json', true)).kind, 'PipelineRun');
    assert.equal(JSON.parse(render([run('a', 'True', 'S'), run('b', 'True', 'S')], 'json', false)).kind, 'List');
  });
  it('name format', () => assert.equal(render([run('a', 'True', 'S')], 'name', false), 'pipelinerun.tekton.dev/a'));
  it('describe shows the condition', () => assert.match(describeObject(run('a', 'False', 'Failed')), /Status: {7}Succeeded=False \(Failed\): Tasks Completed: 1/));
});

describe('resolveConnection', () => {
  it('--server wins, with its token', () => {
    assert.deepEqual(resolveConnection({ server: 'http://x', token: 't' }, {}), { server: 'http://x', token: 't' });
  });
  it('KILN_SERVER and KILN_TOKEN', () => {
    assert.deepEqual(resolveConnection({}, { KILN_SERVER: 'http://y', KILN_TOKEN: 'u' }), { server: 'http://y', token: 'u' });
  });
  it('the kubeconfig in KILN_HOME: server, token and CA', () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-home-'));
    writeFileSync(join(home, 'kubeconfig'), `apiVersion: v1\nkind: Config\nclusters:\n- name: kiln\n  cluster:\n    server: https://127.0.0.1:7443\n    certificate-authority-data: ${Buffer.from('PEM').toString('base64')}\nusers:\n- name: kiln\n  user:\n    token: secret\n`);
    assert.deepEqual(resolveConnection({}, { KILN_HOME: home }), { server: 'https://127.0.0.1:7443', token: 'secret', ca: 'PEM' });
  });
  it('nothing configured: an error saying how to start a server', () => {
    const home = mkdtempSync(join(tmpdir(), 'kiln-home-'));
    assert.throws(() => resolveConnection({}, { KILN_HOME: home }), (e: unknown) => e instanceof CliError && e.details.some((d) => d.includes('kiln serve')));
  });
});

describe('table for trigger records and listeners', () => {
  it('Events: when, type, reason, object, message', () => {
    const ev: KObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', creationTimestamp: '2026-01-01T00:59:00Z' }, type: 'Warning', reason: 'TriggerRejected', involvedObject: { kind: 'EventListener', name: 'github' }, message: 'interceptor github rejected the event' };
    assert.deepEqual(table([ev], false, now), [
      'LAST SEEN   TYPE      REASON            OBJECT                 DELIVERY   MESSAGE',
      '60s         Warning   TriggerRejected   eventlistener/github              interceptor github rejected the event',
    ]);
  });
  it('EventListeners: address and readiness', () => {
    const el: KObject = { apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'gh', creationTimestamp: '2026-01-01T00:00:00Z' }, status: { address: { url: 'http://h/hooks/default/gh' }, conditions: [{ type: 'Ready', status: 'True' }] } };
    assert.deepEqual(table([el], false, now), ['NAME   ADDRESS                     READY   AGE', 'gh     http://h/hooks/default/gh   True    60m']);
  });
});
