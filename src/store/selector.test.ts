import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { StoreError } from './store.ts';
import {
  compileListFilter, formatLabelSelector, labelSelectorFromSet, matchesFields, matchesLabels,
  parseFieldSelector, parseLabelSelector, selectableFields,
} from './selector.ts';

function isBadRequest(e: unknown): boolean {
  return e instanceof StoreError && e.reason === 'BadRequest' && e.code === 400;
}

describe('parseLabelSelector', () => {
  const cases = [
    { name: 'empty', input: '', want: [] },
    { name: 'spaces only', input: '   ', want: [] },
    { name: 'equals', input: 'a=b', want: [{ key: 'a', operator: '=', values: ['b'] }] },
    { name: 'double equals', input: 'a==b', want: [{ key: 'a', operator: '=', values: ['b'] }] },
    { name: 'not equals', input: 'a!=b', want: [{ key: 'a', operator: '!=', values: ['b'] }] },
    { name: 'empty value', input: 'a=,b', want: [{ key: 'a', operator: '=', values: [''] }, { key: 'b', operator: 'exists', values: [] }] },
    { name: 'exists', input: 'a', want: [{ key: 'a', operator: 'exists', values: [] }] },
    { name: 'does not exist', input: '!a', want: [{ key: 'a', operator: '!', values: [] }] },
    { name: 'in (sorted, deduplicated)', input: 'env in (prod, dev,prod)', want: [{ key: 'env', operator: 'in', values: ['dev', 'prod'] }] },
    { name: 'notin', input: 'env notin (qa)', want: [{ key: 'env', operator: 'notin', values: ['qa'] }] },
    { name: 'gt and lt', input: 'n>1,m<-2', want: [{ key: 'n', operator: 'gt', values: ['1'] }, { key: 'm', operator: 'lt', values: ['-2'] }] },
    {
      name: 'prefixed keys and spaces',
      input: ' tekton.dev/pipeline = build , app.kubernetes.io/part-of!=x ',
      want: [
        { key: 'tekton.dev/pipeline', operator: '=', values: ['build'] },
        { key: 'app.kubernetes.io/part-of', operator: '!=', values: ['x'] },
      ],
    },
    {
      name: 'everything together',
      input: 'a=b,c!=d,e in (x,y),f notin (z),g,!h',
      want: [
        { key: 'a', operator: '=', values: ['b'] },
        { key: 'c', operator: '!=', values: ['d'] },
        { key: 'e', operator: 'in', values: ['x', 'y'] },
        { key: 'f', operator: 'notin', values: ['z'] },
        { key: 'g', operator: 'exists', values: [] },
        { key: 'h', operator: '!', values: [] },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(parseLabelSelector(c.input), c.want));
  }

  const bad = [
    { name: 'trailing comma', input: 'a=b,' },
    { name: 'leading comma', input: ',a' },
    { name: 'missing value set', input: 'a in' },
    { name: 'empty value set', input: 'a in ()' },
    { name: 'unclosed value set', input: 'a in (b' },
    { name: 'two values', input: 'a=b c' },
    { name: 'bad key', input: '-a=b' },
    { name: 'bad prefix', input: 'A_B/c=d' },
    { name: 'bad value', input: 'a=b/c' },
    { name: 'value too long', input: `a=${'x'.repeat(64)}` },
    { name: 'non-integer gt', input: 'a>b' },
    { name: 'bang without key', input: '!' },
    { name: 'unknown operator', input: 'a ~ b' },
    { name: 'operator first', input: '=b' },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => assert.throws(() => parseLabelSelector(c.input), isBadRequest));
  }
});

describe('matchesLabels', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  const cases = [
    { name: 'empty selects all', sel: '', labels, want: true },
    { name: 'empty selects unlabelled', sel: '', labels: undefined, want: true },
    { name: 'equal', sel: 'app=web', labels, want: true },
    { name: 'equal, other value', sel: 'app=db', labels, want: false },
    { name: 'equal, missing key', sel: 'zone=a', labels, want: false },
    { name: 'not equal', sel: 'app!=db', labels, want: true },
    { name: 'not equal matches a missing key', sel: 'zone!=a', labels, want: true },
    { name: 'not equal, same value', sel: 'app!=web', labels, want: false },
    { name: 'in', sel: 'tier in (front,back)', labels, want: true },
    { name: 'in, missing key', sel: 'zone in (a)', labels, want: false },
    { name: 'notin', sel: 'tier notin (back)', labels, want: true },
    { name: 'notin matches a missing key', sel: 'zone notin (a)', labels, want: true },
    { name: 'notin, listed value', sel: 'tier notin (front)', labels, want: false },
    { name: 'exists', sel: 'app', labels, want: true },
    { name: 'exists, missing', sel: 'zone', labels, want: false },
    { name: 'does not exist', sel: '!zone', labels, want: true },
    { name: 'does not exist, present', sel: '!app', labels, want: false },
    { name: 'gt', sel: 'n>4', labels, want: true },
    { name: 'lt', sel: 'n<5', labels, want: false },
    { name: 'AND of all', sel: 'app=web,tier in (front),!zone', labels, want: true },
    { name: 'AND, one fails', sel: 'app=web,tier=back', labels, want: false },
    { name: 'key inherited from Object.prototype is not a label', sel: 'constructor', labels, want: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(matchesLabels(parseLabelSelector(c.sel), c.labels), c.want));
  }

  it('formats back to a canonical string', () => {
    const s = 'a==b,c!=d,e in (y, x),!h,g,n>1';
    assert.equal(formatLabelSelector(parseLabelSelector(s)), 'a=b,c!=d,e in (x,y),!h,g,n>1');
  });

  it('builds a selector from a set of labels', () => {
    assert.equal(labelSelectorFromSet({ b: '2', a: '1' }), 'a=1,b=2');
  });
});

describe('field selectors', () => {
  const obj: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns1' } };
  const cases = [
    { name: 'empty', sel: '', want: true },
    { name: 'name', sel: 'metadata.name=x', want: true },
    { name: 'name ==', sel: 'metadata.name==y', want: false },
    { name: 'name !=', sel: 'metadata.name!=y', want: true },
    { name: 'namespace and name', sel: 'metadata.namespace=ns1,metadata.name=x', want: true },
    { name: 'namespace mismatch', sel: 'metadata.namespace=ns2,metadata.name=x', want: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(matchesFields(parseFieldSelector(c.sel), obj), c.want));
  }

  it('unescapes values', () => {
    assert.deepEqual(parseFieldSelector('metadata.name=a\\,b\\=c'), [{ field: 'metadata.name', operator: '=', value: 'a,b=c' }]);
  });

  for (const sel of ['spec.x=y', 'metadata.name', 'metadata.name=a=b', '=x', 'metadata.name!x']) {
    it(`rejects ${JSON.stringify(sel)}`, () => assert.throws(() => parseFieldSelector(sel), isBadRequest));
  }

  it("takes an Event's fields only for Events", () => {
    assert.throws(() => parseFieldSelector('involvedObject.name=x'), isBadRequest);
    assert.throws(() => parseFieldSelector('involvedObject.name=x', 'ConfigMap'), isBadRequest);
    assert.throws(() => parseFieldSelector('involvedObject.spec=x', 'Event'), isBadRequest);
    assert.deepEqual(parseFieldSelector('involvedObject.name=x', 'Event'), [{ field: 'involvedObject.name', operator: '=', value: 'x' }]);
  });
});

describe('field selectors of Events', () => {
  const event: KObject = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'pr.1', namespace: 'ns1' },
    involvedObject: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'pr', namespace: 'ns1', uid: 'u-1' },
    reason: 'Started', type: 'Normal', source: { component: 'PipelineRun' }, reportingComponent: 'kiln',
  };
  const cases = [
    { name: "what kubectl describe asks for", sel: 'involvedObject.name=pr,involvedObject.namespace=ns1,involvedObject.kind=PipelineRun,involvedObject.uid=u-1', want: true },
    { name: 'another uid', sel: 'involvedObject.name=pr,involvedObject.uid=u-2', want: false },
    { name: 'another kind', sel: 'involvedObject.kind=TaskRun', want: false },
    { name: 'apiVersion', sel: 'involvedObject.apiVersion=tekton.dev/v1', want: true },
    { name: 'absent field is empty', sel: 'involvedObject.fieldPath=', want: true },
    { name: 'absent field differs', sel: 'involvedObject.resourceVersion!=', want: false },
    { name: 'reason and type', sel: 'reason=Started,type!=Warning', want: true },
    { name: 'source is source.component', sel: 'source=PipelineRun', want: true },
    { name: 'reportingComponent', sel: 'reportingComponent=kiln', want: true },
    { name: 'metadata fields still apply', sel: 'metadata.name=pr.1,metadata.namespace=ns2', want: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(matchesFields(parseFieldSelector(c.sel, 'Event'), event), c.want));
  }

  it('lists the fields each kind selects on', () => {
    assert.deepEqual(selectableFields(), ['metadata.name', 'metadata.namespace']);
    assert.deepEqual(selectableFields('ConfigMap'), ['metadata.name', 'metadata.namespace']);
    assert.ok(selectableFields('Event').includes('involvedObject.uid'));
  });
});

describe('compileListFilter', () => {
  const a: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n1', labels: { app: 'x' } } };
  const b: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'n2' } };

  it('combines namespace, labels and fields', () => {
    assert.deepEqual([a, b].filter(compileListFilter({})).map((o) => o.metadata.name), ['a', 'b']);
    assert.deepEqual([a, b].filter(compileListFilter({ namespace: 'n2' })).map((o) => o.metadata.name), ['b']);
    assert.deepEqual([a, b].filter(compileListFilter({ labelSelector: 'app' })).map((o) => o.metadata.name), ['a']);
    assert.deepEqual([a, b].filter(compileListFilter({ fieldSelector: 'metadata.name!=a' })).map((o) => o.metadata.name), ['b']);
  });

  it("selects on the kind's own fields", () => {
    const e = (name: string, involved: string): KObject => ({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'n1' }, involvedObject: { kind: 'TaskRun', name: involved } });
    const only = compileListFilter({ fieldSelector: 'involvedObject.name=tr-1' }, 'Event');
    assert.deepEqual([e('x', 'tr-1'), e('y', 'tr-2')].filter(only).map((o) => o.metadata.name), ['x']);
    assert.throws(() => compileListFilter({ fieldSelector: 'involvedObject.name=tr-1' }, 'ConfigMap'), isBadRequest);
  });

  it('throws BadRequest at compile time', () => {
    assert.throws(() => compileListFilter({ labelSelector: 'a in ()' }), isBadRequest);
    assert.throws(() => compileListFilter({ fieldSelector: 'status.x=y' }), isBadRequest);
  });
});
