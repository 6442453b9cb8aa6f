// Every case of ../shared/conformance/triggers/vectors/binding-*.json (Tekton Triggers'
// event_test.go and jsonpath_test.go), then kiln's own cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import type { BindingParam } from '../api/triggers.types.ts';
import {
  applyEventValuesToParams, findTektonExpressions, newEvent, parseJSONPath, resolveBindingParams, tektonJSONPathExpression, textValue,
} from './bindings.ts';
import { goMarshal } from './gojson.ts';

const DIR = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), '../../../shared/conformance/triggers/vectors');
const skip = existsSync(DIR) ? false : 'needs ../shared/conformance/triggers';
const load = (name: string) => JSON.parse(readFileSync(path.join(DIR, name), 'utf8'));

interface ApplyCase {
  name: string;
  params: BindingParam[];
  header?: Record<string, string[]>;
  bodyRaw?: string;
  extensions?: Record<string, unknown>;
  want?: BindingParam[];
}

test('vectors: binding-apply-params.json (applyEventValuesToParams)', { skip }, async (t) => {
  const v = load('binding-apply-params.json');
  const event = (c: ApplyCase) => ({ rawBody: c.bodyRaw ?? '', header: c.header, extensions: c.extensions, eventID: v.context.eventID });
  assert.equal(v.cases.length, 21);
  assert.equal(v.errors.length, 4);
  for (const c of v.cases as ApplyCase[]) {
    await t.test(c.name, () => assert.deepEqual(applyEventValuesToParams(c.params, event(c)), c.want));
  }
  for (const c of v.errors as ApplyCase[]) {
    await t.test(`error: ${c.name}`, () => {
      assert.throws(() => applyEventValuesToParams(c.params, event(c)), new RegExp(`^Error: failed to replace JSONPath value for param ${c.params[0].name}: `));
    });
    await t.test(`error with a template default: ${c.name}`, () => {
      const got = applyEventValuesToParams(c.params, event(c), [{ name: c.params[0].name, default: 'dflt' }]);
      assert.deepEqual(got, [{ name: c.params[0].name, value: 'dflt' }]);
    });
  }
});

test('vectors: binding-find-expressions.json', { skip }, async (t) => {
  const v = load('binding-find-expressions.json');
  assert.equal(v.findTektonExpressions.length, 13);
  for (const c of v.findTektonExpressions as Array<{ in: string; want: string[]; original: string[] }>) {
    await t.test(`findTektonExpressions ${JSON.stringify(c.in)}`, () => {
      assert.deepEqual(findTektonExpressions(c.in), { expressions: c.want, originals: c.original });
    });
  }
  assert.equal(v.tektonJSONPathExpression.length, 4);
  for (const [input, want] of v.tektonJSONPathExpression as Array<[string, string]>) {
    await t.test(`tektonJSONPathExpression ${input}`, () => assert.equal(tektonJSONPathExpression(input), want));
  }
  assert.equal(v.tektonJSONPathExpression_errors.length, 8);
  for (const input of v.tektonJSONPathExpression_errors as string[]) {
    await t.test(`tektonJSONPathExpression error ${JSON.stringify(input)}`, () => assert.throws(() => tektonJSONPathExpression(input)));
  }
});

test('vectors: binding-parse-jsonpath.json (parseJSONPath)', { skip }, async (t) => {
  const v = load('binding-parse-jsonpath.json');
  assert.equal(v.cases.length, 13);
  for (const c of v.cases as Array<{ name: string; in: unknown; expr: string; want: string }>) {
    await t.test(c.name, () => assert.equal(parseJSONPath(c.in, c.expr), c.want.replaceAll(' ', '')));
  }
  assert.equal(v.errors.exprs.length, 8);
  for (const expr of v.errors.exprs as string[]) {
    await t.test(`error ${expr}`, () => assert.throws(() => parseJSONPath(v.errors.in, expr)));
  }
});

const BODY = {
  a: 'x<y>&z', n: 1.5, kv: [{ k: 'b', v: 2 }, { k: 'a', v: 1 }], big: 1e21, neg: -0, t: true, list: [{ k: 'b', v: 2 }, { k: 'a', v: 1 }, { v: 3 }],
  obj: { z: 1, a: [null, '\u2028'], 'é': 0, B: 2 }, 'dev.tekton.dev/foo': 'dotted', nested: { 'x.y': { z: 'deep' } },
};
const EVENT = newEvent({ body: BODY, header: { 'x-github-event': ['push'], Accept: ['a', 'b'] }, extensions: { e: { f: 'g' } }, eventID: 'id-1' });

test('parseJSONPath: the Kubernetes JSONPath subset and Go rendering', async (t) => {
  const cases: Array<{ name: string; expr: string; want: string }> = [
    { name: 'string: JSON-escaped without quotes, HTML characters escaped', expr: '$(body.a)', want: 'x\\u003cy\\u003e\\u0026z' },
    { name: 'float', expr: '$(body.n)', want: '1.5' },
    { name: 'large number as Go json writes it', expr: '$(body.big)', want: '1e+21' },
    { name: 'negative zero', expr: '$(body.neg)', want: '-0' },
    { name: 'bool', expr: '$(body.t)', want: 'true' },
    { name: 'object: keys sorted by bytes, U+2028 escaped', expr: '$(body.obj)', want: '{"B":2,"a":[null,"\\u2028"],"z":1,"é":0}' },
    { name: '.x form', expr: '$(.body.n)', want: '1.5' },
    { name: '{.x} form', expr: '$({.body.n})', want: '1.5' },
    { name: 'escaped dots', expr: '$(body.dev\\.tekton\\.dev\\/foo)', want: 'dotted' },
    { name: "['key'] with a dot", expr: "$(body.nested['x.y'].z)", want: 'deep' },
    { name: 'index', expr: '$(body.list[1].k)', want: 'a' },
    { name: 'negative index', expr: '$(body.list[-1].v)', want: '3' },
    { name: 'slice with step', expr: '$(body.list[0:3:2].v)', want: '[2,3]' },
    { name: '[*] over items', expr: '$(body.list[*].v)', want: '[2,1,3]' },
    { name: 'wildcard over a map (sorted keys)', expr: '$(body.nested.*)', want: '{"z":"deep"}' },
    { name: 'filter on a string', expr: "$(body.kv[?(@.k == 'a')].v)", want: '1' },
    { name: 'filter !=', expr: "$(body.kv[?(@.k != 'a')].v)", want: '2' },
    { name: 'filter matching nothing', expr: "$(body.kv[?(@.k == 'zz')].v)", want: '[]' },
    { name: 'existence filter', expr: '$(body.list[?(@.k)].v)', want: '[2,1]' },
    { name: 'filter with a float literal', expr: '$(body.list[?(@.v > 1.0)].k)', want: 'b' },
    { name: 'recursive descent (maps by sorted key)', expr: '$(body..z)', want: '["deep",1]' },
    { name: 'header, canonical key', expr: '$(header.X-Github-Event)', want: 'push' },
    { name: 'header values joined', expr: '$(header.Accept)', want: 'a,b' },
    { name: 'all headers', expr: '$(header)', want: '{"Accept":"a,b","X-Github-Event":"push"}' },
    { name: 'extensions', expr: '$(extensions.e.f)', want: 'g' },
    { name: 'event id', expr: '$(context.eventID)', want: 'id-1' },
    { name: 'empty expression', expr: '$()', want: '' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(parseJSONPath(EVENT, c.expr), c.want));
});

test('parseJSONPath errors', async (t) => {
  const cases: Array<{ name: string; expr: string; want: RegExp }> = [
    { name: 'missing key', expr: '$(body.nope)', want: /nope is not found/ },
    { name: 'index out of range', expr: '$(body.list[5])', want: /array index out of bounds: index 5, length 3/ },
    { name: 'index on a map', expr: '$(body.obj[0])', want: /is not array or slice/ },
    { name: 'int literal against a JSON number (Go: incompatible types)', expr: '$(body.list[?(@.v == 1)])', want: /incompatible types for comparison/ },
    { name: 'filter over an item without the key (Go: not found)', expr: "$(body.list[?(@.k == 'a')])", want: /k is not found/ },
    { name: 'union', expr: '$(body.list[0,1])', want: /unions are not supported/ },
    { name: 'unterminated filter', expr: "$(body.list[?(@.k == 'a'])", want: /unterminated filter/ },
  ];
  for (const c of cases) await t.test(c.name, () => assert.throws(() => parseJSONPath(EVENT, c.expr), c.want));
});

test('goMarshal and textValue match Go encoding/json', async (t) => {
  const cases: Array<{ name: string; value: unknown; marshal: string; text: string }> = [
    { name: 'control characters', value: '\b\f\n\r\t\u0001\u007f', marshal: '"\\b\\f\\n\\r\\t\\u0001\u007f"', text: '\\b\\f\\n\\r\\t\\u0001\u007f' },
    { name: 'lone surrogate', value: 'a\ud800b', marshal: '"a\\ufffdb"', text: 'a\\ufffdb' },
    { name: 'astral characters kept', value: '😀', marshal: '"😀"', text: '😀' },
    { name: 'null', value: null, marshal: 'null', text: 'null' },
    { name: 'small number', value: 1e-7, marshal: '1e-7', text: '1e-7' },
    { name: 'array', value: [1, 'a', {}], marshal: '[1,"a",{}]', text: '[1,"a",{}]' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(goMarshal(c.value), c.marshal);
      assert.equal(textValue(c.value), c.text);
    });
  }
});

test('resolveBindingParams: defaults pre-seeded, fallback by name, duplicates', async (t) => {
  const ev = { body: { a: 'va' }, header: {}, eventID: 'e' };
  const tt = [{ name: 'x', default: 'dx' }, { name: 'b', default: 'db' }, { name: 'nodefault' }];
  const cases: Array<{ name: string; params: BindingParam[]; want?: BindingParam[]; error?: RegExp }> = [
    {
      name: 'binding params in order, then unset defaults',
      params: [{ name: 'a', value: 'A=$(body.a)' }, { name: 'x', value: 'static' }],
      want: [{ name: 'a', value: 'A=va' }, { name: 'x', value: 'static' }, { name: 'b', value: 'db' }],
    },
    {
      name: 'a failing expression takes the default of the same name',
      params: [{ name: 'b', value: '$(body.missing)-$(body.a)' }],
      want: [{ name: 'b', value: 'db' }, { name: 'x', value: 'dx' }],
    },
    {
      name: 'no default: an error naming the param and its value',
      params: [{ name: 'nodefault', value: '$(body.missing)' }],
      error: /^Error: failed to replace JSONPath value for param nodefault: \$\(body\.missing\): missing is not found$/,
    },
    {
      name: 'the same name in two bindings',
      params: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }],
      error: /^Error: duplicate param name: a$/,
    },
    {
      name: 'a result is not re-read as an expression of its own value, but every occurrence is replaced',
      params: [{ name: 'a', value: '$(body.a)/$(body.a)' }],
      want: [{ name: 'a', value: 'va/va' }, { name: 'x', value: 'dx' }, { name: 'b', value: 'db' }],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      if (c.error) assert.throws(() => resolveBindingParams(c.params, tt, ev), c.error);
      else assert.deepEqual(resolveBindingParams(c.params, tt, ev), c.want);
    });
  }
});

test('a body that is not JSON fails every expression, static params still resolve', () => {
  const got = applyEventValuesToParams([{ name: 's', value: 'static' }, { name: 'd', value: '$(body)' }], { rawBody: '{oops' }, [{ name: 'd', default: 'fallback' }]);
  assert.deepEqual(got, [{ name: 's', value: 'static' }, { name: 'd', value: 'fallback' }]);
});
