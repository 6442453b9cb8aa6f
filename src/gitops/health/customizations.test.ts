import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCustomization, parseHealthCustomizations } from './customizations.ts';

test('parseHealthCustomizations: per-kind keys, core kinds, wildcards and the older resource.customizations form', () => {
  const { checks, errors } = parseHealthCustomizations({
    'resource.customizations.health.cert-manager.io_Certificate': 'A',
    'resource.customizations.health.ConfigMap': 'B',
    'resource.customizations.health.aws.crossplane.io_*': 'C',
    'resource.customizations.health.*.crossplane.io_*': 'D',
    'resource.customizations.health.a_b_c': 'bad',
    'resource.customizations.health.x_Y': 42,
    'resource.customizations': 'example.com/Widget:\n  health.lua: E\n',
    'url': 'https://argocd.example.com',
  });
  assert.deepEqual(checks.map((c) => [c.pattern, c.script]), [
    ['cert-manager.io/Certificate', 'A'], ['ConfigMap', 'B'], ['aws.crossplane.io/*', 'C'], ['*.crossplane.io/*', 'D'], ['example.com/Widget', 'E'],
  ]);
  assert.deepEqual(errors, [
    'data.resource.customizations.health.a_b_c: expected resource.customizations.health.<group>_<kind> (or <kind> for the core group)',
    'data.resource.customizations.health.x_Y: expected a Lua script (string)',
  ]);
});

const { checks } = parseHealthCustomizations({
  'resource.customizations.health.ec2.aws.crossplane.io_Instance': 'exact',
  'resource.customizations.health.ec2.aws.crossplane.io_*': 'group',
  'resource.customizations.health.*.crossplane.io_*': 'any',
  'resource.customizations.health.Pod': 'pod',
});
const lookups: { name: string; group: string; kind: string; want?: string }[] = [
  { name: 'exact key first', group: 'ec2.aws.crossplane.io', kind: 'Instance', want: 'exact' },
  { name: 'the more specific wildcard', group: 'ec2.aws.crossplane.io', kind: 'VPC', want: 'group' },
  { name: 'a broader wildcard', group: 's3.aws.crossplane.io', kind: 'Bucket', want: 'any' },
  { name: 'core group by kind alone', group: '', kind: 'Pod', want: 'pod' },
  { name: 'no match', group: 'apps', kind: 'Deployment' },
  { name: 'dots are literal', group: 'ec2xaws.crossplane.io', kind: 'VPC', want: 'any' },
];
for (const l of lookups) {
  test(`findCustomization: ${l.name}`, () => assert.equal(findCustomization(checks, l.group, l.kind)?.script, l.want));
}
