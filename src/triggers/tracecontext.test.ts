import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_TRACEPARENT, parseTraceParent, runParentSpan, runSpanId, runTraceId, stepTraceParent } from './tracecontext.ts';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

test('parseTraceParent accepts W3C traceparents and refuses the invalid ones', () => {
  assert.deepEqual(parseTraceParent(`00-${T}-${S}-01`), { traceId: T, spanId: S, flags: '01' });
  assert.deepEqual(parseTraceParent(`01-${T}-${S}-00-more`), { traceId: T, spanId: S, flags: '00' });
  for (const bad of [undefined, '', `ff-${T}-${S}-01`, `00-${'0'.repeat(32)}-${S}-01`, `00-${T}-${'0'.repeat(16)}-01`, `00-${T.toUpperCase()}-${S}-01`, `00-${T}-${S}-01-extra`, 'junk']) {
    assert.equal(parseTraceParent(bad), undefined, String(bad));
  }
});

test('ids: a TaskRun shares its PipelineRun\'s trace and is its child; a trace context given wins; steps get their own span', () => {
  const pr = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'p', uid: 'pr-1' } };
  const tr = { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 't', uid: 'tr-1', ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'p', uid: 'pr-1', controller: true }] } };
  assert.equal(runTraceId(tr), runTraceId(pr));
  assert.match(runTraceId(pr), /^[0-9a-f]{32}$/);
  assert.deepEqual(runParentSpan(tr), { spanId: runSpanId('pr-1'), remote: false });
  assert.equal(runParentSpan(pr), undefined);
  assert.equal(stepTraceParent(tr, 0, 'build', false), undefined, 'no trace context, tracing off: no TRACEPARENT');
  const a = stepTraceParent(tr, 0, 'build', true)!;
  assert.match(a, new RegExp(`^00-${runTraceId(pr)}-[0-9a-f]{16}-01$`));
  assert.notEqual(a, stepTraceParent(tr, 1, 'build', true));
  const traced = { ...tr, metadata: { ...tr.metadata, annotations: { [ANNOTATION_TRACEPARENT]: `00-${T}-${S}-00` } } };
  assert.match(stepTraceParent(traced, 0, 'build', false)!, new RegExp(`^00-${T}-[0-9a-f]{16}-00$`));
  const root = { ...pr, metadata: { ...pr.metadata, annotations: { [ANNOTATION_TRACEPARENT]: `00-${T}-${S}-01` } } };
  assert.deepEqual(runParentSpan(root), { spanId: S, remote: true });
});
