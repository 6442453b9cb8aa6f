import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServeOptions } from './main.ts';
import { runCli } from './main.ts';
import { EXIT } from './exit.ts';

function harness() {
  const seen: ServeOptions[] = [];
  const err: string[] = [];
  const deps = {
    local: () => Promise.reject(new Error('unused')),
    serve: async (o: ServeOptions) => (seen.push(o), 0),
    writers: { out: () => {}, err: (s: string) => err.push(s) },
    env: {},
  };
  return { seen, err, run: (args: string[]) => runCli(['serve', '--insecure-loopback-only', '--data-dir', '/nonexistent', ...args], deps) };
}

test('kiln serve --store kube: the kubeconfig, context and replica flags reach the server\'s options', async () => {
  const h = harness();
  assert.equal(await h.run(['--store', 'kube', '--kubeconfig', 'kc.yaml', '--context', 'prod', '--replica-id', 'r1', '--lease-namespace', 'kiln', '--lease-duration', '6']), 0);
  const o = h.seen[0];
  assert.deepEqual([o.store, o.kubeconfig, o.context, o.replicaId, o.leaseNamespace, o.leaseDurationMs], ['kube', 'kc.yaml', 'prod', 'r1', 'kiln', 6000]);
  assert.equal(await h.run(['--api-only']), 0);
  assert.equal(h.seen[1].apiOnly, true);
  assert.equal(h.seen[1].store, undefined);
});

test('kiln serve: replica flags without --store kube, a bad lease duration or store are refused before serving', async () => {
  const cases: Array<{ name: string; args: string[]; want: RegExp }> = [
    { name: 'replica id', args: ['--replica-id', 'r1'], want: /--replica-id applies to --store kube only/ },
    { name: 'lease namespace', args: ['--lease-namespace', 'kiln'], want: /--lease-namespace applies to --store kube only/ },
    { name: 'context', args: ['--context', 'c'], want: /--context applies to --store kube or --executor kubernetes only/ },
    { name: 'kubeconfig', args: ['--kubeconfig', 'kc'], want: /--kubeconfig applies to --store kube or --executor kubernetes only/ },
    { name: 'lease duration', args: ['--store', 'kube', '--lease-duration', '0'], want: /--lease-duration 0: expected a number ≥ 1/ },
    { name: 'store', args: ['--store', 'etcd'], want: /argument 'etcd' is invalid/ },
  ];
  for (const c of cases) {
    const h = harness();
    assert.equal(await h.run(c.args), EXIT.invalid, c.name);
    assert.equal(h.seen.length, 0, c.name);
    assert.match(h.err.join('\n'), c.want, c.name);
  }
});
