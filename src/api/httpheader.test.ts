import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHeaderKey } from './httpheader.ts';
import { findKind, KINDS } from './registry.ts';

test('canonicalHeaderKey as Go textproto.CanonicalMIMEHeaderKey', async (t) => {
  const cases: Array<[string, string]> = [
    ['x-github-event', 'X-Github-Event'], ['X-GitHub-Event', 'X-Github-Event'], ['ONE-TWO', 'One-Two'], ['content-type', 'Content-Type'], ['content-TYPE', 'Content-Type'],
    ['*', '*'], ['a--b', 'A--B'], ['with space', 'with space'], ['bad key', 'bad key'], ['x-1a', 'X-1a'], ['a:b', 'a:b'], ['ünï', 'ünï'], ['x_y', 'X_y'], ['', ''],
  ];
  for (const [input, want] of cases) await t.test(JSON.stringify(input), () => assert.equal(canonicalHeaderKey(input), want));
});

test('registry: Triggers kinds and Event by name and short name', async (t) => {
  const cases: Array<{ name: string; kind: string; group: string; namespaced: boolean; versions: string[] }> = [
    { name: 'el', kind: 'EventListener', group: 'triggers.tekton.dev', namespaced: true, versions: ['v1beta1', 'v1alpha1'] },
    { name: 'tri', kind: 'Trigger', group: 'triggers.tekton.dev', namespaced: true, versions: ['v1beta1', 'v1alpha1'] },
    { name: 'tb', kind: 'TriggerBinding', group: 'triggers.tekton.dev', namespaced: true, versions: ['v1beta1', 'v1alpha1'] },
    { name: 'ctb', kind: 'ClusterTriggerBinding', group: 'triggers.tekton.dev', namespaced: false, versions: ['v1beta1', 'v1alpha1'] },
    { name: 'tt', kind: 'TriggerTemplate', group: 'triggers.tekton.dev', namespaced: true, versions: ['v1beta1', 'v1alpha1'] },
    { name: 'interceptors', kind: 'Interceptor', group: 'triggers.tekton.dev', namespaced: true, versions: ['v1alpha1'] },
    { name: 'ci', kind: 'ClusterInterceptor', group: 'triggers.tekton.dev', namespaced: false, versions: ['v1alpha1'] },
    { name: 'ev', kind: 'Event', group: '', namespaced: true, versions: ['v1'] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const k = findKind(c.name)!;
      assert.deepEqual({ kind: k.kind, group: k.group, namespaced: k.namespaced, versions: [...k.versions] }, { kind: c.kind, group: c.group, namespaced: c.namespaced, versions: c.versions });
    });
  }
  assert.equal(new Set(KINDS.flatMap((k) => k.shortNames)).size, KINDS.flatMap((k) => k.shortNames).length, 'short names are unique');
});
