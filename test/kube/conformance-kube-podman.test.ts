// `kiln conformance DIR --executor kubernetes --kubeconfig FILE`: every TaskRun a Pod of the
// stand-in cluster (test/kube/cluster.ts: kiln serve + the test pod runner over podman). Each
// file's namespace, ConfigMaps and Secrets are put in the cluster for its Pods and removed after;
// results come back through the Pods' logs (pods/log on the cluster's one address).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podmanWith } from '../../src/executor/podman/cli.ts';
import { ensureBusyboxImage, podmanTestHost } from '../../src/executor/podman/testimage.ts';
import { notPassingHere } from '../../conformance/kube.ts';
import { kiln } from '../e2e/helpers.ts';
import { startStandInCluster } from './cluster.ts';
import type { StandInCluster } from './cluster.ts';

const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-conf-kube-'));
const podman = podmanWith(base);
const HOST = podmanTestHost(base);
const SKIP = HOST.skip;
const IMAGE = 'localhost/kiln-test/busybox:latest';

let cluster: StandInCluster | undefined;
after(async () => {
  await cluster?.stop();
  rmSync(base, { recursive: true, force: true });
});

const VOLUMES = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {colour: blue, size: large}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: s3cret}
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: volumes}
spec:
  taskSpec:
    volumes:
    - {name: cfg, configMap: {name: settings, items: [{key: colour, path: sub/renamed}]}}
    - {name: sec, secret: {secretName: creds}}
    steps:
    - image: ${IMAGE}
      volumeMounts: [{name: cfg, mountPath: /cfg}, {name: sec, mountPath: /sec}]
      script: |
        [ "$(cat /cfg/sub/renamed)" = blue ]
        [ ! -e /cfg/size ]
        [ "$(cat /sec/token)" = s3cret ]
        ! touch /cfg/sub/written 2>/dev/null
`;

const PROJECTED = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {colour: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: s3cret}
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: projected}
spec:
  workspaces:
  - name: all
    projected:
      sources:
      - configMap: {name: settings}
      - secret: {name: creds, items: [{key: token, path: auth/token}]}
      - downwardAPI: {items: [{path: podname, fieldRef: {fieldPath: metadata.name}}]}
      - serviceAccountToken: {path: sa/token, audience: vault}
  taskSpec:
    workspaces: [{name: all, mountPath: /all}]
    steps:
    - image: ${IMAGE}
      script: |
        [ "$(cat /all/colour)" = blue ]
        [ "$(cat /all/auth/token)" = s3cret ]
        [ "$(cat /all/podname)" = projected-pod ]
        [ -s /all/sa/token ]
`;

// Tekton's Pod layout where a step sees it: its own mount at /workspace replaces the Pod's, it
// starts in /workspace, and it cannot write another step's directory
const LAYOUT = `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: layout}
spec:
  taskSpec:
    volumes: [{name: empty, emptyDir: {}}]
    steps:
    - {name: write, image: ${IMAGE}, script: 'pwd > where; [ "$(cat /workspace/where)" = /workspace ]'}
    - name: own
      image: ${IMAGE}
      volumeMounts: [{name: empty, mountPath: /workspace}]
      script: '[ ! -e /workspace/where ]'
    - name: others
      image: ${IMAGE}
      script: |
        ! echo 1 > /tekton/steps/0/exitCode 2>/dev/null
        ! echo 1 > /tekton/run/0/out 2>/dev/null
        [ "$(cat /tekton/steps/step-write/exitCode)" = 0 ]
        echo 1 > /tekton/steps/2/mine
`;

const RESULTS = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: results}
spec:
  pipelineSpec:
    tasks:
    - name: make
      taskSpec:
        results: [{name: word}]
        steps: [{image: ${IMAGE}, script: 'printf hello > $(results.word.path)'}]
    - name: check
      params: [{name: w, value: $(tasks.make.results.word)}]
      taskSpec:
        params: [{name: w}]
        steps: [{image: ${IMAGE}, script: '[ "$(params.w)" = hello ]'}]
`;

const FAILS = `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: fails}
spec:
  taskSpec:
    steps: [{name: boom, image: ${IMAGE}, script: 'exit 3'}]
`;

test('kiln conformance --executor kubernetes: Pods in the cluster, with the files\' ConfigMaps and Secrets, results through their logs', { skip: SKIP, timeout: 300_000 }, async () => {
  ensureBusyboxImage(podman, HOST.busybox!, [IMAGE]);
  cluster = await startStandInCluster({ dir: join(base, 'cluster'), podman });
  const dir = join(base, 'files');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries({ 'fails.yaml': FAILS, 'layout.yaml': LAYOUT, 'projected.yaml': PROJECTED, 'results.yaml': RESULTS, 'volumes.yaml': VOLUMES })) writeFileSync(join(dir, name), text);
  const report = join(base, 'report.md');
  const r = await kiln(['conformance', dir, '--executor', 'kubernetes', '--kubeconfig', cluster.kubeconfig, '--tools-image', IMAGE, '--data-dir', join(base, 'kiln'), '--timeout', '120s', '-j', '3', '--report', report]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL fails\.yaml \(Failed: "step-boom" exited with code 3\) /m);
  assert.match(r.stdout, /^PASS results\.yaml \(Succeeded: /m);
  assert.match(r.stdout, /^PASS volumes\.yaml \(Succeeded: /m);
  assert.match(r.stdout, /^PASS projected\.yaml \(Succeeded: /m);
  assert.match(r.stdout, /^PASS layout\.yaml \(Succeeded: /m);
  assert.match(r.stdout, /^4 passed, 1 failed, 0 skipped$/m);
  // each file's namespace (and with it its ConfigMaps and Secrets) is gone from the cluster
  const nss = (await (await fetch(`${cluster.url}/api/v1/namespaces`)).json()) as { items: Array<{ metadata: { name: string } }> };
  assert.deepEqual(nss.items.map((n) => n.metadata.name).filter((n) => /^c\d/.test(n)), []);
  // the comparison conformance/kube.ts appends to its report
  assert.deepEqual(notPassingHere('# podman\nfails.yaml\nresults.yaml\nnot-run.yaml\n', readFileSync(report, 'utf8')), ['fails.yaml: FAIL (Failed: "step-boom" exited with code 3)']);
});

test('--kubeconfig and --tools-image need --executor kubernetes; an unreadable kubeconfig is refused', async () => {
  const none = await kiln(['conformance', base, '--tools-image', IMAGE]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--tools-image applies to --executor kubernetes only/);
  const bad = await kiln(['conformance', base, '--executor', 'kubernetes', '--kubeconfig', '/nonexistent/kubeconfig', '--data-dir', join(base, 'bad')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--executor kubernetes: --kubeconfig \/nonexistent\/kubeconfig: /);
});
