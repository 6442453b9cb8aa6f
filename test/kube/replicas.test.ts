// Controller replicas sharing one store, as real processes: `kiln serve --api-only` holds the store
// (standing in for a cluster's API server), three `kiln serve --store kube` replicas run the work.
// Every PipelineRun completes once; each step runs once, except attempts lost with a replica that is
// killed (-9) mid-run, which are retried by the others (at-least-once for a crashed executor); the
// killed replica's keys move to the others. A fourth replica joining later takes keys from live
// replicas while their attempts run: those finish where they started, and nothing runs twice.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerOf } from '../../src/runtime/rendezvous.ts';
import { api, until } from '../e2e/serve-helpers.ts';
import { createRuns, executions, startReplicaCluster, waitDone, type ReplicaCluster } from './replicas-harness.ts';

const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-replicas-'));
let rc: ReplicaCluster | undefined;
let joinRc: ReplicaCluster | undefined;
after(async () => {
  await rc?.stop();
  await joinRc?.stop();
  rmSync(base, { recursive: true, force: true });
});

/** PipelineRuns in the test (as many as the bench, bench/replicas.ts, runs) */
const RUNS = 200;

interface TR {
  metadata: { name: string; ownerReferences?: Array<{ name: string }> };
  status?: { replica?: string; conditions?: Array<{ status: string; reason: string }>; retriesStatus?: Array<{ replica?: string; conditions?: Array<{ reason: string }> }> };
}

test('three replicas on one store: every PipelineRun completes once; a replica killed mid-run loses none and its keys move to the others; one joining takes keys over', { timeout: 300_000 }, async () => {
  rc = await startReplicaCluster(base, 3, { leaseSeconds: 3 });
  const names = Array.from({ length: RUNS }, (_, i) => `run-${String(i).padStart(3, '0')}`);
  await createRuns(rc.cluster, names, rc.countDir, 0.3);
  const killed = rc.replicas[1];
  let killedAt: number | undefined;
  let joined: Promise<unknown> | undefined;
  const states = await waitDone(rc.cluster, RUNS, 220_000, (done) => {
    if (killedAt === undefined && done >= RUNS / 5) {
      killed.child.kill('SIGKILL');
      killedAt = Date.now();
    }
    if (!joined && done >= RUNS / 2) joined = rc!.add('r4');
  });
  assert.ok(killedAt, 'the replica was killed mid-run');
  await joined;
  assert.deepEqual(states.filter((s) => s.status !== 'True'), [], 'every PipelineRun Succeeded');
  assert.equal(states.length, RUNS);

  const trs = (await api(rc.cluster, 'GET', '/apis/tekton.dev/v1/namespaces/default/taskruns')).json.items as TR[];
  assert.equal(trs.length, RUNS * 2, 'two TaskRuns per PipelineRun, none made twice');
  const runs = executions(rc.countDir);
  const survivors = rc.replicas.filter((r) => r !== killed).map((r) => r.id).sort();
  const firstThree = ['r1', 'r2', 'r3'];
  let lost = 0;
  let movedKeys = 0;
  const byReplica = new Map<string, number>();
  for (const tr of trs) {
    const name = tr.metadata.name;
    const s = tr.status!;
    assert.equal(s.conditions?.[0].status, 'True', `${name}: ${JSON.stringify(s.conditions)}`);
    byReplica.set(s.replica!, (byReplica.get(s.replica!) ?? 0) + 1);
    const retries = s.retriesStatus ?? [];
    // a retried attempt can only be one the killed replica was running
    for (const r of retries) {
      assert.equal(r.conditions?.[0].reason, 'ExecutorLost', `${name}: an attempt failed otherwise: ${JSON.stringify(r.conditions)}`);
      assert.equal(r.replica, killed.id, `${name}: an attempt lost on ${r.replica}, not on the killed replica`);
    }
    lost += retries.length;
    if (retries.length) assert.ok(survivors.includes(s.replica!), `${name}: retried on ${s.replica}`);
    const n = runs.get(name) ?? 0;
    // the final attempt ran its step once; a lost attempt at most once more
    if (retries.length === 0) assert.equal(n, 1, `${name}: its step ran ${n} times`);
    else assert.ok(n >= 1 && n <= 1 + retries.length, `${name}: its step ran ${n} times in ${1 + retries.length} attempts`);
    // a key of the killed replica's (among the three) run by a survivor: it moved
    const pr = tr.metadata.ownerReferences?.[0]?.name ?? name;
    if (ownerOf(`default/${pr}`, firstThree) === killed.id && s.replica !== killed.id) movedKeys++;
  }
  assert.equal([...runs.keys()].filter((k) => !trs.some((t) => t.metadata.name === k)).length, 0, 'no execution of an unknown TaskRun');
  assert.ok(movedKeys > 0, 'the killed replica\'s keys were taken over');
  // every replica worked, the one that joined late included
  for (const r of rc.replicas) assert.ok((byReplica.get(r.id) ?? 0) > 0, `${r.id} ran no TaskRun: ${JSON.stringify([...byReplica])}`);
  // the killed replica's lease, expired, is deleted by a survivor four lease durations (12 s) after its last renewal
  const holders = async () => ((await api(rc!.cluster, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kiln/leases')).json.items as Array<{ spec: { holderIdentity: string } }>).map((l) => l.spec.holderIdentity).sort();
  await until('the killed replica\'s lease deleted', async () => (await holders()).join() === survivors.join(), 30_000);
  console.log(`replicas: ${RUNS} PipelineRuns, ${trs.length} TaskRuns; by replica ${JSON.stringify(Object.fromEntries(byReplica))}; ${lost} attempt(s) lost with ${killed.id} and retried; ${movedKeys} TaskRuns of its keys run by the others`);
});

test('a replica joining takes over keys whose attempts run elsewhere: those finish where they started, the rest of their runs moves, nothing runs twice', { timeout: 180_000 }, async () => {
  joinRc = await startReplicaCluster(join(base, 'join'), 2, { leaseSeconds: 3 });
  // six runs, three of which r3 will own once it joins, three on each of r1 and r2 until then (4 slots each)
  const names: string[] = [];
  const want = { r1: 3, r2: 3, r3: 3 };
  for (let i = 0; names.length < 6; i++) {
    const n = `join-${i}`;
    const before = ownerOf(`default/${n}`, ['r1', 'r2']) as 'r1' | 'r2';
    const after = ownerOf(`default/${n}`, ['r1', 'r2', 'r3']) === 'r3';
    if (want[before] === 0 || (after && want.r3 === 0) || (!after && names.length - (3 - want.r3) >= 3)) continue;
    names.push(n);
    want[before]--;
    if (after) want.r3--;
  }
  const toR3 = names.filter((n) => ownerOf(`default/${n}`, ['r1', 'r2', 'r3']) === 'r3');
  assert.equal(toR3.length, 3);
  // the first task of each runs 12 s: r3 joins while every one of them runs
  await createRuns(joinRc.cluster, names, joinRc.countDir, 0, 12);
  const trsOf = async () => (await api(joinRc!.cluster, 'GET', '/apis/tekton.dev/v1/namespaces/default/taskruns')).json.items as Array<TR & { status?: { completionTime?: string } }>;
  await until('every first task running', async () => {
    const trs = await trsOf();
    return trs.length === 6 && trs.every((t) => t.status?.conditions?.[0].reason === 'Running' && t.status.replica);
  }, 60_000);
  await joinRc.add('r3');
  const joinedAt = new Date().toISOString();
  const states = await waitDone(joinRc.cluster, names.length, 120_000);
  assert.deepEqual(states.filter((s) => s.status !== 'True'), [], 'every PipelineRun Succeeded');
  const trs = await trsOf();
  const runs = executions(joinRc.countDir);
  for (const tr of trs) {
    const name = tr.metadata.name;
    assert.equal(tr.status?.retriesStatus, undefined, `${name}: an attempt was lost: ${JSON.stringify(tr.status?.retriesStatus?.map((r) => [r.replica, r.conditions?.[0]]))}`);
    assert.equal(runs.get(name), 1, `${name}: its step ran ${runs.get(name)} times`);
    const pr = tr.metadata.ownerReferences![0].name;
    if (name.endsWith('-first')) {
      assert.ok(tr.status!.completionTime! > joinedAt, `${name} ended before r3 joined`);
      assert.notEqual(tr.status!.replica, 'r3', `${name}: finished where it started`);
    } else if (toR3.includes(pr)) {
      assert.equal(tr.status!.replica, 'r3', `${name}: the rest of a run r3 owns moved to r3`);
    } else {
      assert.notEqual(tr.status!.replica, 'r3', `${name}`);
    }
  }
});

test('kiln serve --store kube refuses, saying why, an unreadable kubeconfig, a bad replica id and an API it cannot reach', { timeout: 60_000 }, async () => {
  const { startServe } = await import('../e2e/serve-helpers.ts');
  const { writeFileSync } = await import('node:fs');
  const unreachable = join(base, 'unreachable.kubeconfig');
  writeFileSync(unreachable, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n');
  const kube = ['--insecure-loopback-only', '--store', 'kube'];
  await assert.rejects(startServe(join(base, 'bad1'), [...kube, '--kubeconfig', '/nonexistent/kubeconfig']), /error: --store kube: --kubeconfig \/nonexistent\/kubeconfig: /);
  await assert.rejects(startServe(join(base, 'bad2'), [...kube, '--kubeconfig', unreachable, '--replica-id', 'Bad_Id']), /error: --replica-id "Bad_Id": expected lower-case letters/);
  await assert.rejects(startServe(join(base, 'bad3'), [...kube, '--kubeconfig', unreachable, '--context', 'other']), /error: --store kube: --context other: not in .*unreachable\.kubeconfig \(its contexts: c\)/);
  await assert.rejects(startServe(join(base, 'bad4'), [...kube, '--kubeconfig', unreachable]), /error: --store kube: cannot join the replicas through leases in namespace default of http:\/\/127\.0\.0\.1:9: /);
});
