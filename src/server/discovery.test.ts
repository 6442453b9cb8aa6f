import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KindRegistry } from '../api/generic/kinds.ts';
import { KINDS } from '../api/registry.ts';
import type { APIResource } from './discovery.ts';
import {
  apiGroupDocument, apiGroupList, apiGroups, apiResourceList, apiVersions, KUBE_MAJOR, KUBE_MINOR, sortVersions, versionInfo,
} from './discovery.ts';
import { groupVersions } from './paths.ts';

/** kiln's own kinds alone (the served set adds generic kinds: see discovery.generic.test.ts). */
const OWN = new KindRegistry(KINDS);

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

describe('sortVersions (Kubernetes version priority)', () => {
  const cases = [
    { name: 'GA, then beta, then alpha', in: ['v1alpha1', 'v1beta1', 'v1'], want: ['v1', 'v1beta1', 'v1alpha1'] },
    { name: 'higher majors first within a stability', in: ['v1', 'v2', 'v10'], want: ['v10', 'v2', 'v1'] },
    { name: 'stability before major', in: ['v2beta1', 'v1', 'v3alpha1'], want: ['v1', 'v2beta1', 'v3alpha1'] },
    { name: 'higher beta numbers first', in: ['v1beta1', 'v1beta2', 'v2beta1'], want: ['v2beta1', 'v1beta2', 'v1beta1'] },
    { name: 'non-Kubernetes versions last, alphabetically', in: ['foo', 'v1', 'bar', 'v1alpha1'], want: ['v1', 'v1alpha1', 'bar', 'foo'] },
    { name: 'empty', in: [], want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = [...c.in];
      assert.deepEqual(sortVersions(input), c.want);
      assert.deepEqual(input, c.in, 'the input is not sorted in place');
    });
  }
});

describe('apiGroups and /apis', () => {
  it('lists tekton.dev with its versions, v1 preferred, then triggers.tekton.dev; core is not a group', () => {
    assert.deepEqual(apiGroups(OWN), [
      { name: 'tekton.dev', versions: ['v1', 'v1beta1', 'v1alpha1'], preferred: 'v1' },
      { name: 'triggers.tekton.dev', versions: ['v1beta1', 'v1alpha1'], preferred: 'v1beta1' },
    ]);
  });

  it('APIGroupList', () => {
    assert.deepEqual(apiGroupList(OWN), {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: [{
        name: 'tekton.dev',
        versions: [
          { groupVersion: 'tekton.dev/v1', version: 'v1' },
          { groupVersion: 'tekton.dev/v1beta1', version: 'v1beta1' },
          { groupVersion: 'tekton.dev/v1alpha1', version: 'v1alpha1' },
        ],
        preferredVersion: { groupVersion: 'tekton.dev/v1', version: 'v1' },
      }, {
        name: 'triggers.tekton.dev',
        versions: [
          { groupVersion: 'triggers.tekton.dev/v1beta1', version: 'v1beta1' },
          { groupVersion: 'triggers.tekton.dev/v1alpha1', version: 'v1alpha1' },
        ],
        preferredVersion: { groupVersion: 'triggers.tekton.dev/v1beta1', version: 'v1beta1' },
      }, {
        name: 'authorization.k8s.io',
        versions: [{ groupVersion: 'authorization.k8s.io/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'authorization.k8s.io/v1', version: 'v1' },
      }],
    });
  });

  it('authorization.k8s.io/v1 serves SelfSubjectAccessReviews (create only, cluster-scoped), for kubectl auth can-i', () => {
    assert.equal((apiGroupDocument('authorization.k8s.io') as { name: string }).name, 'authorization.k8s.io');
    assert.deepEqual(apiResourceList('authorization.k8s.io', 'v1'), {
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'authorization.k8s.io/v1',
      resources: [{ name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] }],
    });
    assert.equal(apiResourceList('authorization.k8s.io', 'v1beta1'), undefined);
  });

  it('APIGroup of a served group, undefined otherwise', () => {
    const doc = apiGroupDocument('tekton.dev') as Record<string, unknown>;
    assert.equal(doc.kind, 'APIGroup');
    assert.equal(doc.apiVersion, 'v1');
    assert.equal(doc.name, 'tekton.dev');
    assert.deepEqual(doc.preferredVersion, { groupVersion: 'tekton.dev/v1', version: 'v1' });
    assert.equal(apiGroupDocument('example.com'), undefined);
    assert.equal(apiGroupDocument(''), undefined);
  });

  it('/api: APIVersions with the server address', () => {
    assert.deepEqual(apiVersions('127.0.0.1:7443'), {
      kind: 'APIVersions', versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:7443' }],
    });
  });
});

describe('apiResourceList', () => {
  type List = { kind: string; apiVersion: string; groupVersion: string; resources: APIResource[] };
  const list = (group: string, version: string) => apiResourceList(group, version) as List;
  const byName = (l: List) => new Map(l.resources.map((r) => [r.name, r]));

  it('tekton.dev/v1: the runs and their subresources', () => {
    const l = list('tekton.dev', 'v1');
    assert.equal(l.kind, 'APIResourceList');
    assert.equal(l.apiVersion, 'v1');
    assert.equal(l.groupVersion, 'tekton.dev/v1');
    assert.deepEqual(l.resources.map((r) => r.name), [
      'tasks', 'tasks/status', 'taskruns', 'taskruns/status', 'taskruns/log',
      'pipelines', 'pipelines/status', 'pipelineruns', 'pipelineruns/status',
    ]);
    const r = byName(l);
    assert.deepEqual(r.get('taskruns'), {
      name: 'taskruns', singularName: 'taskrun', namespaced: true, kind: 'TaskRun', verbs: ALL_VERBS,
      shortNames: ['tr'], categories: ['tekton', 'tekton-pipelines'],
    });
    assert.deepEqual(r.get('taskruns/status'), { name: 'taskruns/status', singularName: '', namespaced: true, kind: 'TaskRun', verbs: ['get', 'patch', 'update'] });
    assert.deepEqual(r.get('taskruns/log')?.verbs, ['get']);
  });

  it('triggers.tekton.dev/v1beta1: the tekton-triggers category, el as short name', () => {
    const l = apiResourceList('triggers.tekton.dev', 'v1beta1') as { resources: Array<{ name: string; shortNames?: string[]; categories?: string[] }> };
    const el = l.resources.find((x) => x.name === 'eventlisteners')!;
    assert.deepEqual(el.categories, ['tekton', 'tekton-triggers']);
    assert.deepEqual(el.shortNames, ['el']);
  });

  it('core v1: no categories; Namespace cluster-scoped; kinds without short names have none', () => {
    const l = list('', 'v1');
    assert.equal(l.groupVersion, 'v1');
    const r = byName(l);
    assert.deepEqual(r.get('namespaces'), { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ALL_VERBS, shortNames: ['ns'] });
    assert.equal(r.get('namespaces/status')?.namespaced, false);
    assert.equal(Object.hasOwn(r.get('secrets')!, 'shortNames'), false);
    assert.equal(Object.hasOwn(r.get('configmaps')!, 'categories'), false);
    assert.equal(r.has('configmaps/status'), false);
  });

  it('tekton.dev/v1alpha1 serves StepAction only', () => {
    assert.deepEqual(list('tekton.dev', 'v1alpha1').resources.map((r) => r.name), ['stepactions', 'stepactions/status']);
  });

  it('every kind is discoverable in each of its versions', () => {
    for (const k of KINDS) {
      for (const v of k.versions) {
        const r = byName(list(k.group, v)).get(k.plural);
        assert.ok(r, `${k.plural} in ${k.group}/${v}`);
        assert.equal(r.kind, k.kind);
        assert.equal(r.namespaced, k.namespaced);
      }
    }
    assert.equal(groupVersions(OWN).length, 6);
  });

  it('undefined for what is not served', () => {
    assert.equal(apiResourceList('tekton.dev', 'v2'), undefined);
    assert.equal(apiResourceList('example.com', 'v1'), undefined);
    assert.equal(apiResourceList('', 'v2'), undefined);
  });
});

describe('versionInfo', () => {
  it('imitates Kubernetes 1.32, kiln version in the build metadata', () => {
    const v = versionInfo('0.1.0+abc/def') as Record<string, string>;
    assert.equal(v.major, KUBE_MAJOR);
    assert.equal(v.minor, KUBE_MINOR);
    assert.equal(`${KUBE_MAJOR}.${KUBE_MINOR}`, '1.32');
    assert.equal(v.gitVersion, 'v1.32.0-kiln+0.1.0-abc-def');
    assert.match(v.gitVersion, /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, 'semver');
    assert.equal(v.compiler, 'kiln');
    assert.equal(v.goVersion, `node${process.versions.node}`);
  });
  it('no build metadata without a kiln version', () => {
    assert.equal((versionInfo() as Record<string, string>).gitVersion, 'v1.32.0-kiln');
  });
});
