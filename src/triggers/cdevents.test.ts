import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCDEvent } from '../events/cdevent.ts';
import { toHttp } from '../events/cloudevent.ts';
import { canonicalHeaders } from './interceptors/header.ts';
import { cdeventsInterceptor, globMatch, readCDEventsParams, typeMatches } from './cdevents.ts';
import { eventListenerView, structuredAsBinary } from './cdevents-cloudevent.ts';
import { CODES, type InterceptorRequest } from './types.ts';

const PURL = 'pkg:oci/app@sha256%3Aabc?repository_url=registry.example/team/app&tag=1.0';
const published = buildCDEvent('dev.cdevents.artifact.published.0.3.0', { id: 'ev-1', source: '/ci/other', timestamp: '2024-05-01T10:00:00Z', chainId: 'chain-1' }, { id: PURL, content: { user: 'alice' } });

function request(mode: 'binary' | 'structured' | 'plain', params: Record<string, unknown> = {}, event: object = published): InterceptorRequest {
  const m = mode === 'plain' ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) } : toHttp(event as typeof published, mode);
  return {
    body: m.body, header: canonicalHeaders(Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, [v]]))), extensions: {}, interceptor_params: params,
    context: { event_url: 'http://kiln/hooks/ci/cd', event_id: 'e1', trigger_id: 'namespaces/ci/triggers/deploy' },
  };
}

test('a CDEvent in binary, structured or plain JSON form passes a matching filter, with the cdevent extension', async () => {
  for (const mode of ['binary', 'structured', 'plain'] as const) {
    const r = await cdeventsInterceptor(request(mode, { eventTypes: ['dev.cdevents.artifact.published'], subjectIds: ['pkg:oci/app@*'] }), { secret: async () => undefined });
    assert.equal(r.continue, true, `${mode}: ${r.status?.message}`);
    const ext = r.extensions as { cdevent: Record<string, unknown>; cloudevent?: Record<string, unknown> };
    assert.deepEqual([ext.cdevent.subjectType, ext.cdevent.predicate, ext.cdevent.version, ext.cdevent.subjectId, ext.cdevent.subjectSource, ext.cdevent.chainId], ['artifact', 'published', '0.3.0', PURL, '/ci/other', 'chain-1'], mode);
    assert.deepEqual(ext.cdevent.content, { user: 'alice' });
    assert.equal(ext.cloudevent?.id, mode === 'plain' ? undefined : 'ev-1', mode);
  }
});

test('filters: type (versioned, version-less, glob), subject id/source, context source, subject content; the reason names the field', async () => {
  const deps = { secret: async () => undefined };
  const cases: Array<{ name: string; params: Record<string, unknown>; ok: boolean; why?: RegExp }> = [
    { name: 'no params', params: {}, ok: true },
    { name: 'exact type', params: { eventTypes: ['dev.cdevents.artifact.published.0.3.0'] }, ok: true },
    { name: 'other version', params: { eventTypes: ['dev.cdevents.artifact.published.0.2.0'] }, ok: false, why: /event type dev\.cdevents\.artifact\.published\.0\.3\.0 is not allowed/ },
    { name: 'glob', params: { eventTypes: ['dev.cdevents.artifact.*'] }, ok: true },
    { name: 'other type', params: { eventTypes: ['dev.cdevents.artifact.packaged', 'dev.cdevents.service.deployed'] }, ok: false, why: /not allowed/ },
    { name: 'subject id', params: { subjectIds: ['pkg:oci/other@*'] }, ok: false, why: /subject\.id/ },
    { name: 'subject source falls back to context.source', params: { subjectSources: ['/ci/*'] }, ok: true },
    { name: 'context source', params: { sources: ['/elsewhere'] }, ok: false, why: /context\.source/ },
    { name: 'content equal', params: { subjectContent: { user: ['bob', 'alice'] } }, ok: true },
    { name: 'content differs', params: { subjectContent: { user: 'bob' } }, ok: false, why: /subject\.content\.user is "alice", not "bob"/ },
    { name: 'content absent', params: { subjectContent: { 'sbom.uri': 'x' } }, ok: false, why: /subject\.content\.sbom\.uri is absent/ },
  ];
  for (const c of cases) {
    const r = await cdeventsInterceptor(request('binary', c.params), deps);
    assert.equal(r.continue, c.ok, c.name);
    if (!c.ok) {
      assert.equal(r.status?.code, CODES.FailedPrecondition, c.name);
      assert.match(r.status!.message, c.why!, c.name);
    }
  }
});

test('what is not a CDEvent, or bad params, is InvalidArgument naming the problem', async () => {
  const deps = { secret: async () => undefined };
  const notCD = await cdeventsInterceptor(request('plain', {}, { hello: 'world' }), deps);
  assert.deepEqual([notCD.continue, notCD.status?.code], [false, CODES.InvalidArgument]);
  assert.match(notCD.status!.message, /context: missing/);
  const badType = await cdeventsInterceptor(request('plain', {}, { ...published, context: { ...published.context, type: 'com.example.thing' } }), deps);
  assert.match(badType.status!.message, /context\.type: "com\.example\.thing" is not a CDEvent type/);
  const noSubject = await cdeventsInterceptor(request('plain', {}, { context: published.context, subject: {} }), deps);
  assert.match(noSubject.status!.message, /subject\.id/);
  const mismatch = request('binary');
  mismatch.header['Ce-Type'] = ['dev.cdevents.artifact.packaged.0.3.0'];
  assert.match((await cdeventsInterceptor(mismatch, deps)).status!.message, /differs from its CDEvent's context\.type/);
  const broken = request('binary');
  broken.header['Ce-Specversion'] = ['0.1'];
  assert.match((await cdeventsInterceptor(broken, deps)).status!.message, /cannot read the event: invalid CloudEvent: specversion "0\.1"/);
  const noSource = request('binary');
  delete noSource.header['Ce-Source'];
  assert.match((await cdeventsInterceptor(noSource, deps)).status!.message, /cannot read the event: invalid CloudEvent: .*source/);
  assert.equal(readCDEventsParams({ eventTypes: [1] }), 'eventTypes: expected a list of strings');
  const r = await cdeventsInterceptor(request('binary', { subjectContent: [1] }), deps);
  assert.equal(r.status?.code, CODES.InvalidArgument);
  assert.match(r.status!.message, /failed to parse interceptor params: subjectContent/);
});

test('globMatch and typeMatches', () => {
  assert.equal(globMatch('a*c', 'abbbc'), true);
  assert.equal(globMatch('a.c', 'abc'), false);
  assert.equal(globMatch('*', ''), true);
  assert.equal(typeMatches(['dev.cdevents.pipelinerun.finished'], 'dev.cdevents.pipelinerun.finished.0.3.0'), true);
  assert.equal(typeMatches(['dev.cdevents.pipelinerun'], 'dev.cdevents.pipelinerun.finished.0.3.0'), false);
});

test('structuredAsBinary: the data becomes the body and the attributes Ce-* headers; binary requests are left alone', () => {
  const s = toHttp(published, 'structured');
  const header = canonicalHeaders({ 'content-type': [s.headers['content-type']], 'x-other': ['1'] });
  const b = structuredAsBinary(header, s.body)!;
  assert.deepEqual(JSON.parse(b.body), published);
  assert.deepEqual([b.header['Ce-Id'], b.header['Ce-Type'], b.header['Ce-Subject'], b.header['Content-Type'], b.header['X-Other']], [['ev-1'], ['dev.cdevents.artifact.published.0.3.0'], [PURL], ['application/json'], ['1']]);
  const bin = toHttp(published, 'binary');
  assert.equal(structuredAsBinary(canonicalHeaders(Object.fromEntries(Object.entries(bin.headers).map(([k, v]) => [k, [v]]))), bin.body), undefined);
  assert.throws(() => structuredAsBinary({ 'Content-Type': ['application/cloudevents+json'] }, '{"specversion":"1.0"}'), /invalid CloudEvent/);
});

test('eventListenerView: only a structured CloudEvent carrying a CDEvent is shown in binary form', () => {
  const s = toHttp(published, 'structured');
  const header = { 'Content-Type': [s.headers['content-type']] };
  const cd = eventListenerView(header, s.body);
  assert.equal(cd.converted, true);
  assert.deepEqual(JSON.parse(cd.body), published);
  const other = JSON.stringify({ specversion: '1.0', id: '1', source: '/x', type: 'com.example.push', datacontenttype: 'application/json', data: { a: 1 } });
  assert.deepEqual(eventListenerView(header, other), { header, body: other, converted: false });
  assert.deepEqual(eventListenerView(header, '{"broken":true}'), { header, body: '{"broken":true}', converted: false });
});
