import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step, StepTemplate } from '../api/container.types.ts';
import { mergeStepTemplate, stepContainerName, stepName } from './steptemplate.ts';

test('stepName / stepContainerName', () => {
  const cases: Array<{ name: string; step: Step; i: number; want: [string, string] }> = [
    { name: 'named', step: { name: 'build' }, i: 3, want: ['build', 'step-build'] },
    { name: 'unnamed', step: {}, i: 2, want: ['unnamed-2', 'step-unnamed-2'] },
    { name: 'empty name', step: { name: '' }, i: 0, want: ['unnamed-0', 'step-unnamed-0'] },
  ];
  for (const c of cases) assert.deepEqual([stepName(c.step, c.i), stepContainerName(c.step, c.i)], c.want, c.name);
});

test('mergeStepTemplate', () => {
  const t: StepTemplate = {
    image: 'tpl',
    command: ['tpl-cmd'],
    args: ['tpl-arg'],
    workingDir: '/tpl',
    env: [{ name: 'QUX', value: 'original' }, { name: 'KEEP', value: 'k' }],
    volumeMounts: [{ name: 'a', mountPath: '/a' }, { name: 'b', mountPath: '/b' }],
    securityContext: { runAsUser: 1, privileged: false },
  };
  const cases: Array<{ name: string; step: Step; want: Step }> = [
    {
      name: 'inherits everything',
      step: { name: 's' },
      want: { name: 's', image: 'tpl', command: ['tpl-cmd'], args: ['tpl-arg'], workingDir: '/tpl', env: t.env, volumeMounts: t.volumeMounts, securityContext: t.securityContext },
    },
    {
      name: 'step wins; env by name in place, new entries appended; mounts by mountPath',
      step: {
        name: 's', image: 'own', command: ['c'], args: [], workingDir: '/own',
        env: [{ name: 'NEW', value: 'n' }, { name: 'QUX', valueFrom: { secretKeyRef: { name: 'x', key: 'y' } } }],
        volumeMounts: [{ name: 'z', mountPath: '/b', readOnly: true }],
        securityContext: { runAsUser: 2 },
      },
      want: {
        name: 's', image: 'own', command: ['c'], args: [], workingDir: '/own',
        env: [{ name: 'QUX', valueFrom: { secretKeyRef: { name: 'x', key: 'y' } } }, { name: 'KEEP', value: 'k' }, { name: 'NEW', value: 'n' }],
        volumeMounts: [{ name: 'a', mountPath: '/a' }, { name: 'z', mountPath: '/b', readOnly: true }],
        securityContext: { runAsUser: 2, privileged: false },
      },
    },
    {
      name: 'a script step does not inherit command',
      step: { script: 'echo' },
      want: { script: 'echo', image: 'tpl', args: ['tpl-arg'], workingDir: '/tpl', env: t.env, volumeMounts: t.volumeMounts, securityContext: t.securityContext },
    },
    { name: 'a step still referencing a StepAction is left alone', step: { name: 'r', ref: { name: 'sa' } }, want: { name: 'r', ref: { name: 'sa' } } },
  ];
  for (const c of cases) assert.deepEqual(mergeStepTemplate(t, [c.step])[0], c.want, c.name);
  assert.deepEqual(mergeStepTemplate(undefined, [{ name: 'x' }]), [{ name: 'x' }], 'no template');
});
