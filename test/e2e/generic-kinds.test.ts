// End-to-end: `kiln serve` as a real process and the real kubectl: Kubernetes' built-in kinds
// stored as they are, and a CustomResourceDefinition applied at run time (served, validated by its
// schema, status subresource, printer columns), kept across a restart, gone when deleted.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './helpers.ts';
import { startServe, type Served } from './serve-helpers.ts';

const run = promisify(execFile);
const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

const WORKLOADS = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 80}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: busybox}]}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "kiln:reader"}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
`;

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Phase, type: string, jsonPath: .status.phase}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              color: {type: string, enum: [red, blue]}
          status:
            type: object
            properties: {phase: {type: string}}
`;

describe('kubectl: any kind', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed' }, () => {
  it('built-in kinds stored as they are; a CRD served at run time, validated, kept across a restart, gone when deleted', async () => {
    const dataDir = tempDir('kiln-generic-');
    let s = await startServe(dataDir, []);
    servers.push(s);
    const cacheDir = join(dataDir, 'kube-cache'); // kubectl's discovery cache: fresh, and shared by the steps below as a user's would be
    const file = (name: string, text: string) => { const p = join(dataDir, name); writeFileSync(p, text); return p; };
    async function kubectl(...args: string[]): Promise<{ code: number; out: string }> {
      const cache = args[0] === '--cache-dir' ? [] : ['--cache-dir', cacheDir];
      try {
        const r = await run('kubectl', ['--kubeconfig', join(dataDir, 'kubeconfig'), ...cache, ...args], { timeout: 30_000, env: { ...process.env, KUBECONFIG: '' } });
        return { code: 0, out: r.stdout + r.stderr };
      } catch (e) {
        const x = e as { code?: number; stdout?: string; stderr?: string };
        return { code: x.code ?? 1, out: (x.stdout ?? '') + (x.stderr ?? '') };
      }
    }

    const applied = await kubectl('apply', '-f', file('workloads.yaml', WORKLOADS));
    assert.equal(applied.code, 0, applied.out);
    assert.match(applied.out, /deployment\.apps\/web created/);
    assert.match(applied.out, /clusterrole\.rbac\.authorization\.k8s\.io\/kiln:reader created/);
    assert.equal((await kubectl('apply', '-f', join(dataDir, 'workloads.yaml'))).code, 0, 'a second apply patches what is there');
    const got = await kubectl('get', 'deploy,svc');
    assert.equal(got.code, 0, got.out);
    assert.match(got.out, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    assert.match(got.out, /deployment\.apps\/web\s+0\/2\s+0\s+0/);
    assert.match(got.out, /service\/web\s+ClusterIP\s+<none>\s+<none>\s+80\/TCP/);
    const status = await kubectl('patch', 'deploy', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"readyReplicas":2,"updatedReplicas":2,"availableReplicas":2}}');
    assert.equal(status.code, 0, status.out);
    assert.match((await kubectl('get', 'deploy', 'web')).out, /web\s+2\/2\s+2\s+2/);
    assert.match((await kubectl('get', 'jobs,clusterroles')).out, /job\.batch\/migrate[\s\S]*clusterrole\.rbac\.authorization\.k8s\.io\/kiln:reader/);

    assert.match((await kubectl('get', 'widgets')).out, /doesn't have a resource type "widgets"/);
    const crd = await kubectl('apply', '-f', file('crd.yaml', CRD));
    assert.equal(crd.code, 0, crd.out);
    const waited = await kubectl('wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s');
    assert.equal(waited.code, 0, waited.out);
    assert.match((await kubectl('get', 'widgets')).out, /No resources found/);
    const made = await kubectl('apply', '-f', file('w.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3, color: red}\n'));
    assert.equal(made.code, 0, made.out);
    const invalid = await kubectl('apply', '-f', file('bad.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 11, color: pink}\n'));
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.out, /spec\.size: Invalid value: 11/);
    assert.match(invalid.out, /spec\.color: Unsupported value: "pink"/);
    const unknown = await kubectl('apply', '-f', file('unknown.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w3}\nspec: {size: 1, colour: red}\n'));
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.out, /unknown field "spec\.colour"/);
    const patched = await kubectl('patch', 'wd', 'w1', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Ready"}}');
    assert.equal(patched.code, 0, patched.out);
    const listed = await kubectl('get', 'widgets');
    assert.match(listed.out, /NAME\s+SIZE\s+PHASE/);
    assert.match(listed.out, /w1\s+3\s+Ready/);
    const explained = await kubectl('explain', 'widget.spec');
    assert.match(explained.out, /size\s+<integer> -required-/, explained.out);

    assert.equal(await s.stop(), 0);
    s = await startServe(dataDir, []);
    servers.push(s);
    assert.match((await kubectl('get', 'widgets')).out, /w1\s+3\s+Ready/, 'the CRD and its objects outlive a restart');

    const deleted = await kubectl('delete', 'crd', 'widgets.example.com');
    assert.equal(deleted.code, 0, deleted.out);
    // kubectl's cached discovery still names the kind (404 on the list); fresh discovery no longer has it
    const after = await kubectl('get', 'widgets');
    assert.notEqual(after.code, 0);
    assert.match(after.out, /could not find the requested resource|doesn't have a resource type "widgets"/);
    const fresh = await kubectl('--cache-dir', join(dataDir, 'kube-cache-2'), 'get', 'widgets');
    assert.match(fresh.out, /doesn't have a resource type "widgets"/);
    assert.match((await kubectl('get', 'deploy')).out, /web/);
  });
});
