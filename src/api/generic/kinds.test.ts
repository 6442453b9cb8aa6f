import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KindInfo } from '../registry.ts';
import { KINDS } from '../registry.ts';
import { GENERIC_KINDS } from './builtin.ts';
import { FIXED_KINDS, KindRegistry, type KindChange } from './kinds.ts';

const widget: KindInfo = { group: 'example.com', versions: ['v1'], kind: 'Widget', plural: 'widgets', singular: 'widget', shortNames: ['wd'], namespaced: true, generic: true };

describe('KindRegistry', () => {
  it('serves kiln kinds and the built-in generic kinds from the start, with Kubernetes short names', () => {
    assert.equal(FIXED_KINDS.all().length, KINDS.length + GENERIC_KINDS.length);
    const cases: Array<[string, string, string]> = [
      ['deploy', 'apps', 'Deployment'], ['sts', 'apps', 'StatefulSet'], ['ds', 'apps', 'DaemonSet'], ['rs', 'apps', 'ReplicaSet'],
      ['svc', '', 'Service'], ['po', '', 'Pod'], ['cj', 'batch', 'CronJob'], ['jobs', 'batch', 'Job'], ['ing', 'networking.k8s.io', 'Ingress'],
      ['hpa', 'autoscaling', 'HorizontalPodAutoscaler'], ['pdb', 'policy', 'PodDisruptionBudget'], ['crd', 'apiextensions.k8s.io', 'CustomResourceDefinition'],
      ['clusterrole', 'rbac.authorization.k8s.io', 'ClusterRole'], ['tr', 'tekton.dev', 'TaskRun'],
    ];
    for (const [name, group, kind] of cases) assert.equal(FIXED_KINDS.find(name, group)?.kind, kind, name);
    assert.equal(FIXED_KINDS.find('clusterrolebindings')?.namespaced, false);
    assert.deepEqual(FIXED_KINDS.find('deployment')?.subresources, ['status']);
    assert.deepEqual(FIXED_KINDS.find('role')?.subresources, []);
  });

  it('setCustom adds, changes and removes kinds, moving revision and telling listeners only on change', () => {
    const r = new KindRegistry(KINDS);
    const heard: KindChange[] = [];
    const off = r.onChange((c) => heard.push(c));
    assert.equal(r.revision, 0);
    r.setCustom([widget]);
    assert.equal(r.find('wd')?.kind, 'Widget');
    assert.deepEqual(r.inGroupVersion('example.com', 'v1').map((k) => k.kind), ['Widget']);
    assert.deepEqual(r.groupVersions().at(-1), { group: 'example.com', version: 'v1' });
    assert.equal(r.revision, 1);
    r.setCustom([widget]);
    assert.equal(r.revision, 1, 'the same kinds change nothing');
    r.setCustom([{ ...widget, versions: ['v2', 'v1'] }]);
    assert.equal(r.revision, 2);
    r.setCustom([]);
    assert.equal(r.find('widgets'), undefined);
    assert.deepEqual(heard.map((c) => [c.added.length, c.changed.length, c.removed.length]), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    off();
    r.setCustom([widget]);
    assert.equal(heard.length, 3);
  });

  it('a CRD never shadows a fixed kind', () => {
    const r = new KindRegistry();
    const tasks = { ...widget, group: 'tekton.dev', kind: 'Task', plural: 'tasks' };
    const change = r.setCustom([tasks]);
    assert.deepEqual(change.added, []);
    assert.equal(r.byResource('tekton.dev', 'tasks')?.generic, undefined);
    assert.equal(r.isFixed('tekton.dev', 'tasks'), true);
  });
});
