import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateCrd } from '../api/generic/crd.ts';
import type { KObject } from '../api/meta.ts';
import { KINDS } from '../api/registry.ts';
import { CRD_KINDS } from './crds.ts';
import { describeObject, manifests, uninstallPlan } from './manifests.ts';
import { commonLabels, compileInstallOptions, DEFAULT_OPTIONS, type InstallOptions } from './options.ts';

type Rec = Record<string, any>;
const opts = (o: Partial<InstallOptions> = {}): InstallOptions => ({ ...DEFAULT_OPTIONS, ...o });
const crdsIn = (objs: KObject[]) => objs.filter((o) => o.kind === 'CustomResourceDefinition');

/** Every way `s` breaks Kubernetes' structural-schema rules (stricter than needed: descriptions aside, nothing untyped). */
function notStructural(s: Rec, at: string, out: string[] = []): string[] {
  if ('$ref' in s) out.push(`${at}: $ref`);
  const free = s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-int-or-string'] === true;
  if (s.type === undefined && !free) out.push(`${at}: no type`);
  if (s.properties && s.type !== 'object') out.push(`${at}: properties on a ${s.type}`);
  if (s.items && s.type !== 'array') out.push(`${at}: items on a ${s.type}`);
  if (s.anyOf && s['x-kubernetes-int-or-string'] !== true) out.push(`${at}: anyOf outside int-or-string`);
  for (const [k, v] of Object.entries(s.properties ?? {})) notStructural(v as Rec, `${at}.${k}`, out);
  if (s.items) notStructural(s.items, `${at}[]`, out);
  if (typeof s.additionalProperties === 'object') notStructural(s.additionalProperties, `${at}{}`, out);
  return out;
}

describe('CRDs', () => {
  const all = crdsIn(manifests(opts()));

  it('one per kind kiln owns that a cluster lacks, plus the CDEvents outbox and Argo CD\'s kinds', () => {
    const names = all.map((c) => c.metadata.name);
    for (const k of KINDS.filter((x) => x.group !== '')) assert.ok(names.includes(`${k.plural}.${k.group}`), `${k.kind} has a CRD`);
    for (const n of ['cdevents.kiln.dev', 'applications.argoproj.io', 'appprojects.argoproj.io']) assert.ok(names.includes(n), n);
    assert.ok(!names.some((n) => n!.endsWith('.') || n === 'configmaps'), 'core kinds are the cluster\'s own');
    assert.deepEqual(names, [...names].sort(), 'in a stable order');
    assert.ok(!crdsIn(manifests(opts({ gitops: false }))).some((c) => c.metadata.name!.endsWith('argoproj.io')), '--no-gitops leaves Argo CD\'s out');
  });

  it('are valid and structural: typed at every level, no $ref, objects at the root, metadata left to the server', () => {
    for (const crd of all) {
      assert.deepEqual(validateCrd(crd), [], crd.metadata.name);
      for (const v of (crd.spec as Rec).versions) {
        const root = v.schema.openAPIV3Schema;
        assert.equal(root.type, 'object', `${crd.metadata.name} ${v.name}`);
        assert.deepEqual(notStructural(root, `${crd.metadata.name}/${v.name}`), []);
        if (root.properties?.metadata) assert.deepEqual(root.properties.metadata, { type: 'object' });
      }
    }
  });

  it('store the first version kiln accepts and serve the others, with the status subresource', () => {
    for (const k of CRD_KINDS) {
      const crd = all.find((c) => c.metadata.name === `${k.plural}.${k.group}`)!;
      const versions = (crd.spec as Rec).versions as Rec[];
      assert.deepEqual(versions.map((v) => v.name), [...k.versions]);
      assert.deepEqual(versions.map((v) => v.storage), k.versions.map((_, i) => i === 0), k.kind);
      assert.ok(versions.every((v) => v.served && v.subresources.status), k.kind);
      assert.equal((crd.spec as Rec).scope, k.namespaced ? 'Namespaced' : 'Cluster');
      assert.deepEqual((crd.spec as Rec).names.shortNames ?? [], [...k.shortNames]);
    }
  });

  it('type the fields kiln reads; the older version also takes the fields conversion rewrites', () => {
    const schema = (name: string, version: string) => ((all.find((c) => c.metadata.name === name)!.spec as Rec).versions as Rec[]).find((v) => v.name === version)!.schema.openAPIV3Schema;
    const task = schema('tasks.tekton.dev', 'v1');
    assert.equal(task.properties.spec.properties.steps.items.properties.image.type, 'string');
    assert.equal(task.properties.spec.properties.steps.items.properties.timeout.type, 'string');
    assert.match(task.properties.spec.properties.steps.description, /./, 'described for kubectl explain');
    assert.deepEqual({ ...task.properties.status, description: undefined }, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: undefined });
    assert.equal(schema('taskruns.tekton.dev', 'v1').properties.spec.properties.stepOverrides, undefined);
    assert.equal(schema('taskruns.tekton.dev', 'v1beta1').properties.spec.properties.stepOverrides.type, 'array');
    // a pipeline inside a pipeline task: recursion stops at an open object
    const inner = schema('pipelines.tekton.dev', 'v1').properties.spec.properties.tasks.items.properties.pipelineSpec;
    assert.equal(inner['x-kubernetes-preserve-unknown-fields'], true);
  });

  it('print the columns Tekton\'s and Argo CD\'s CRDs print', () => {
    const cols = (name: string) => ((all.find((c) => c.metadata.name === name)!.spec as Rec).versions[0].additionalPrinterColumns as Rec[]).map((c) => c.name);
    for (const runs of ['taskruns.tekton.dev', 'pipelineruns.tekton.dev']) assert.deepEqual(cols(runs), ['Succeeded', 'Reason', 'StartTime', 'CompletionTime']);
    assert.deepEqual(cols('applications.argoproj.io').slice(0, 2), ['Sync Status', 'Health Status']);
    assert.deepEqual(cols('tasks.tekton.dev'), ['Age']);
  });
});

describe('RBAC', () => {
  const rules = (objs: KObject[], kind: string) => objs.filter((o) => o.kind === kind).flatMap((o) => (o as Rec).rules as Rec[]);
  const wild = (r: Rec) => [...r.apiGroups, ...r.resources, ...r.verbs].includes('*');

  it('has no wildcard: every verb on every resource is named', () => {
    const objs = manifests(opts());
    for (const r of [...rules(objs, 'ClusterRole'), ...rules(objs, 'Role')]) assert.ok(!wild(r), JSON.stringify(r));
  });

  it('grants kiln\'s kinds as the controllers use them: definitions read only, runs written, status apart', () => {
    const cr = rules(manifests(opts()), 'ClusterRole');
    const verbs = (group: string, res: string) => cr.filter((r) => r.apiGroups.includes(group) && r.resources.includes(res)).flatMap((r) => r.verbs);
    assert.deepEqual(verbs('tekton.dev', 'tasks'), ['get', 'list', 'watch']);
    assert.ok(verbs('tekton.dev', 'pipelineruns').includes('create'));
    assert.deepEqual(verbs('tekton.dev', 'taskruns/status'), ['get', 'update', 'patch']);
    assert.deepEqual(verbs('', 'secrets'), ['get', 'list', 'watch', 'create', 'delete'], "users' Secrets are never changed: kiln makes (and deletes) only its attempts' credentials Secrets");
    assert.deepEqual(verbs('', 'pods'), ['get', 'list', 'watch', 'create', 'patch', 'delete']);
    assert.deepEqual(verbs('', 'pods/log'), ['get']);
    assert.deepEqual(verbs('apiextensions.k8s.io', 'customresourcedefinitions'), ['get', 'list', 'watch'], 'the controller cannot redefine kinds');
    assert.equal(verbs('coordination.k8s.io', 'leases').length, 0, 'Leases only in kiln\'s own namespace (a Role)');
    assert.ok(rules(manifests(opts()), 'Role').some((r) => r.resources.includes('leases')));
    assert.deepEqual(verbs('argoproj.io', 'applications'), ['get', 'list', 'watch', 'update', 'patch'], 'status and finalizers; users create Applications');
    assert.equal(rules(manifests(opts({ gitops: false })), 'ClusterRole').filter((r) => r.apiGroups.includes('argoproj.io')).length, 0);
  });

  it('deploys into the cluster (every right, as Argo CD) only when asked, in a role of its own', () => {
    const objs = manifests(opts({ gitopsInCluster: true }));
    const wide = objs.filter((o) => o.kind === 'ClusterRole' && ((o as Rec).rules as Rec[]).some(wild));
    assert.deepEqual(wide.map((o) => o.metadata.name), ['kiln-gitops-deployer']);
    assert.ok(objs.some((o) => o.kind === 'ClusterRoleBinding' && (o as Rec).roleRef.name === 'kiln-gitops-deployer'));
  });
});

describe('manifests', () => {
  const objs = manifests(opts({ namespace: 'ci' }));
  const one = (kind: string, name?: string) => objs.find((o) => o.kind === kind && (!name || o.metadata.name === name)) as Rec;

  it('CRDs first, the Deployment last; the same every time', () => {
    const firstOther = objs.findIndex((o) => o.kind !== 'CustomResourceDefinition');
    assert.ok(objs.slice(firstOther).every((o) => o.kind !== 'CustomResourceDefinition'));
    assert.equal(objs.at(-1)!.kind, 'Deployment');
    assert.deepEqual(manifests(opts({ namespace: 'ci' })), objs);
    assert.equal(new Set(objs.map(describeObject)).size, objs.length, 'no object twice');
  });

  it('names and labels agree: namespace, service account, selectors, bindings', () => {
    for (const o of objs) assert.deepEqual({ ...o.metadata.labels, ...commonLabels() }, o.metadata.labels, describeObject(o));
    for (const o of objs.filter((x) => ['ServiceAccount', 'Role', 'RoleBinding', 'PersistentVolumeClaim', 'Service', 'Deployment'].includes(x.kind))) {
      assert.equal(o.metadata.namespace, 'ci', describeObject(o));
    }
    const deploy = one('Deployment');
    const podLabels = deploy.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(deploy.spec.selector.matchLabels)) assert.equal(podLabels[k], v);
    for (const svc of objs.filter((o) => o.kind === 'Service') as Rec[]) {
      for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(podLabels[k], v, svc.metadata.name);
      assert.ok(deploy.spec.template.spec.containers[0].ports.some((p: Rec) => p.name === svc.spec.ports[0].targetPort));
    }
    const sa = one('ServiceAccount').metadata.name;
    assert.equal(deploy.spec.template.spec.serviceAccountName, sa);
    for (const b of objs.filter((o) => o.kind.endsWith('Binding')) as Rec[]) {
      assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: sa, namespace: 'ci' }]);
      assert.ok(one(b.roleRef.kind, b.roleRef.name), `${b.metadata.name} binds an installed role`);
    }
    assert.equal(deploy.spec.template.spec.volumes[0].persistentVolumeClaim.claimName, one('PersistentVolumeClaim').metadata.name);
  });

  it('the controller runs unprivileged and the image is the one asked for', () => {
    const pod = manifests(opts({ image: 'registry.example.com/kiln:1.2.3', replicas: 3 })).find((o) => o.kind === 'Deployment') as Rec;
    const c = pod.spec.template.spec.containers[0];
    assert.equal(c.image, 'registry.example.com/kiln:1.2.3');
    assert.equal(pod.spec.replicas, 3);
    assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
    assert.equal(pod.spec.template.spec.securityContext.runAsNonRoot, true);
    assert.deepEqual(c.args.slice(0, 1), ['serve']);
    assert.equal(pod.spec.strategy.type, 'RollingUpdate', 'several replicas roll');
  });
});

describe('options and uninstalling', () => {
  it('every bad option is named by its flag', () => {
    const r = compileInstallOptions({ namespace: 'Kiln_NS', image: '', replicas: 0, serviceType: 'Ingress' as never, dataSize: 'lots', gitops: false, gitopsInCluster: true });
    assert.ok('errors' in r);
    assert.deepEqual(r.errors.map((e) => e.path), ['--namespace', '--image', '--replicas', '--service-type', '--data-size', '--gitops-in-cluster']);
    assert.deepEqual(compileInstallOptions({}), { options: DEFAULT_OPTIONS });
  });

  it('keeps the CRDs (and so every run) and the data unless asked; deletes in reverse order', () => {
    const kept = uninstallPlan(opts());
    assert.ok(!kept.remove.some((o) => ['CustomResourceDefinition', 'Namespace', 'PersistentVolumeClaim'].includes(o.kind)));
    assert.equal(kept.remove[0].kind, 'Deployment');
    assert.equal(kept.kept.length, 2);
    assert.match(kept.kept.join('\n'), /CustomResourceDefinitions[\s\S]*kiln-data/);
    const all = uninstallPlan(opts(), { deleteCrds: true, deleteData: true });
    assert.deepEqual(all.remove.map(describeObject), manifests(opts()).reverse().map(describeObject));
    assert.deepEqual(all.kept, []);
  });
});
