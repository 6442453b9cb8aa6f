import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './exit.ts';
import type { KObject } from '../api/meta.ts';
import type { KilnClient } from '../client/client.ts';
import { conformanceCommand, laterFailures, markdownReport, reportLine, settle, yamlFiles, type FileResult } from './conformance.ts';

describe('yamlFiles', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-yamlfiles-'));
    for (const f of ['b.yaml', 'a.yml', 'notes.txt', 'x.yaml.bak', 'sub/z.yaml', 'sub/deeper/c.yml', 'sub/README.md', 'c-dir/k.yaml', 'empty/.keep']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every .yaml/.yml file under the directory, recursively, sorted by path segment', () => {
    assert.deepEqual(yamlFiles(dir).map((f) => f.slice(dir.length + 1)), ['a.yml', 'b.yaml', 'c-dir/k.yaml', 'sub/deeper/c.yml', 'sub/z.yaml']);
  });

  test('a file is its own list', () => {
    assert.deepEqual(yamlFiles(join(dir, 'b.yaml')), [join(dir, 'b.yaml')]);
  });

  test('a directory without YAML gives nothing', () => {
    assert.deepEqual(yamlFiles(join(dir, 'empty')), []);
  });

  test('a missing directory is a CliError (code 2)', () => {
    const missing = join(dir, 'nope');
    assert.throws(() => yamlFiles(missing), (e: unknown) => e instanceof CliError && e.code === 2 && e.message === `${missing}: no such directory`);
  });
});

describe('later runs of a file', () => {
  const run = (kind: string, name: string, status?: string, reason?: string): KObject => ({
    apiVersion: 'tekton.dev/v1', kind, metadata: { name, namespace: 'ns' },
    status: status ? { conditions: [{ type: 'Succeeded', status, reason }] } : undefined,
  });

  test('laterFailures names every run that did not succeed, with its reason', () => {
    assert.deepEqual(laterFailures([run('TaskRun', 'ok', 'True', 'Succeeded')]), {});
    assert.deepEqual(laterFailures([run('TaskRun', 'a', 'False', 'Failed'), run('TaskRun', 'ok', 'True', 'Succeeded'), run('PipelineRun', 'b')]), {
      laterFailed: ['TaskRun/a (Failed)', 'PipelineRun/b (unfinished)'],
    });
  });

  const result = (laterFailed?: string[]): FileResult => ({ file: 'x.yaml', verdict: 'PASS', reason: 'Succeeded', message: 'All Steps have completed executing', durationMs: 1234, ...(laterFailed ? { laterFailed } : {}) });

  test('the report line says when later runs failed', () => {
    assert.equal(reportLine(result()), 'PASS x.yaml (Succeeded: All Steps have completed executing) 1.2s');
    assert.equal(reportLine(result(['TaskRun/b (Failed)'])), 'PASS x.yaml (Succeeded: All Steps have completed executing) (later runs failed: TaskRun/b (Failed)) 1.2s');
  });

  test('the Markdown report too', () => {
    assert.match(markdownReport([result(['TaskRun/b (Failed)'])], 'dir'), /\| x\.yaml \| PASS \| Succeeded \| later runs failed: TaskRun\/b \(Failed\) \|/);
  });

  test('settle waits until every run of the namespace has finished', async () => {
    let lists = 0;
    const client = {
      async list(kind: string) {
        lists++;
        const done = lists > 4; // the third round of (TaskRun, PipelineRun) lists sees them finished
        return kind === 'TaskRun' ? [run('TaskRun', 'sidecar-run', done ? 'False' : 'Unknown', done ? 'TaskRunCancelled' : 'Running')] : [];
      },
    } as unknown as KilnClient;
    assert.equal(await settle(client, 'ns', 60_000, 1), true);
    assert.equal(lists, 6);
  });

  test('settle gives up at its limit', async () => {
    const client = { list: async () => [run('TaskRun', 'stuck', 'Unknown', 'Running')] } as unknown as KilnClient;
    assert.equal(await settle(client, 'ns', 0, 1), false);
  });
});

describe('the cluster of --executor kubernetes', () => {
  test('a file whose namespace cannot be prepared there fails (ClusterError, naming it) and its namespace is removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-conf-cluster-'));
    try {
      writeFileSync(join(dir, 'one.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: tr}\nspec:\n  taskSpec:\n    steps: [{image: busybox, script: "true"}]\n');
      const calls: string[] = [];
      const client = { close: async () => void calls.push('client closed') } as unknown as KilnClient;
      const out: string[] = [];
      const code = await conformanceCommand({
        dir, jobs: 1, timeoutMs: 10_000, json: false, client: async () => client, out: (s) => out.push(s), err: (s) => out.push(s),
        cluster: async () => ({
          async prepare(ns, objects) { calls.push(`prepare ${ns} ${objects.map((o) => o.kind).join(',')}`); throw new Error('namespaces "c0-one" is forbidden'); },
          async remove(ns) { calls.push(`remove ${ns}`); },
          close: () => void calls.push('cluster closed'),
        }),
      });
      assert.equal(code, 1);
      assert.match(out[0], /^FAIL one\.yaml \(ClusterError: preparing namespace c0-one in the cluster: namespaces "c0-one" is forbidden\) \d+\.\ds$/);
      assert.deepEqual(calls, ['prepare c0-one ConfigMap,TaskRun', 'remove c0-one', 'cluster closed', 'client closed']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
