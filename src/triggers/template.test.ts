// Every case of ../shared/conformance/triggers/vectors/template-apply-params.json (Tekton
// Triggers' resource_test.go), then kiln's own cases of renderTemplate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import type { TriggerTemplateSpec } from '../api/triggers.types.ts';
import {
  applyParamToResourceTemplate, applyParamsToResourceTemplate, escapeTektonVariables, OLD_ESCAPE_ANNOTATION, renderTemplate,
} from './template.ts';

const DIR = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), '../../../shared/conformance/triggers/vectors');
const skip = existsSync(DIR) ? false : 'needs ../shared/conformance/triggers';

test('vectors: template-apply-params.json', { skip }, async (t) => {
  const v = JSON.parse(readFileSync(path.join(DIR, 'template-apply-params.json'), 'utf8'));
  assert.equal(v.cases.length, 11);
  for (const c of v.cases as Array<{ name: string; param: { name: string; value: string }; rt: string; want: string; oldEscape?: boolean }>) {
    await t.test(c.name, () => assert.equal(applyParamToResourceTemplate(c.param, c.rt, c.oldEscape ?? false), c.want));
  }
  assert.equal(v.escapeTektonVariables.length, 3);
  for (const [input, want] of v.escapeTektonVariables as Array<[string, string]>) {
    await t.test(`escapeTektonVariables ${input}`, () => assert.equal(escapeTektonVariables(input), want));
  }
});

const PR = (name: string) => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name }, spec: { params: [{ name: 'rev', value: '$(tt.params.rev)' }] } });

test('renderTemplate', async (t) => {
  const ids = ['u-1', 'u-2'];
  const gen = () => ids.shift()!;
  const cases: Array<{ name: string; spec: TriggerTemplateSpec; params: Array<{ name: string; value: string }>; annotations?: Record<string, string>; want?: unknown[]; error?: RegExp }> = [
    {
      name: 'params and one $(uid) shared by every template',
      spec: { resourcetemplates: [PR('run-$(uid)'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-$(uid)' }, data: { '$(tt.params.key)': 'x' } }] },
      params: [{ name: 'rev', value: 'abc' }, { name: 'key', value: 'k' }],
      want: [
        { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'run-u-1' }, spec: { params: [{ name: 'rev', value: 'abc' }] } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-u-1' }, data: { k: 'x' } },
      ],
    },
    {
      name: 'an unprovided param stays literal; $( in values escaped',
      spec: { resourcetemplates: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { a: '$(tt.params.a)', b: '$(tt.params.b)' } }] },
      params: [{ name: 'a', value: 'run $(params.x)' }],
      want: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'run $$(params.x)', b: '$(tt.params.b)' } }],
    },
    {
      name: 'a value JSON-escaped by its binding stays valid inside a string',
      spec: { resourcetemplates: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { msg: '$(tt.params.msg)' } }] },
      params: [{ name: 'msg', value: 'line1\\nsaid \\"hi\\"' }],
      want: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { msg: 'line1\nsaid "hi"' } }],
    },
    {
      name: 'old-escape-quotes annotation',
      spec: { resourcetemplates: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { j: '$(tt.params.j)' } }] },
      params: [{ name: 'j', value: '{"a":"b"}' }],
      annotations: { [OLD_ESCAPE_ANNOTATION]: 'true' },
      want: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { j: '{"a":"b"}' } }],
    },
    {
      name: 'a value that breaks the JSON names the template',
      spec: { resourcetemplates: [PR('ok'), { apiVersion: 'v1', kind: 'ConfigMap', data: { j: '$(tt.params.j)' } }] },
      params: [{ name: 'j', value: '"unescaped"' }],
      error: /^Error: resourcetemplates\[1\]: the template is not valid JSON after substitution: /,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      ids.splice(0, ids.length, 'u-1', 'u-2');
      const run = () => renderTemplate(c.spec, c.params, { generator: gen, annotations: c.annotations });
      if (c.error) assert.throws(run, c.error);
      else assert.deepEqual(run(), c.want);
    });
  }
});

test('renderTemplate: an explicit uid wins; the default generator makes a UUID', () => {
  const spec = { resourcetemplates: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c-$(uid)' } }] };
  assert.deepEqual(renderTemplate(spec, [], { uid: 'fixed' })[0].metadata, { name: 'c-fixed' });
  const name = (renderTemplate(spec, [])[0].metadata as { name: string }).name;
  assert.match(name, /^c-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('params apply in order: a later param replaces text an earlier value brought in (as Go)', () => {
  const out = applyParamsToResourceTemplate([{ name: 'a', value: '$(tt.params.b)' }, { name: 'b', value: 'B' }], '{"x":"$(tt.params.a)"}');
  assert.equal(out, '{"x":"$B"}');
});
