import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCDEvent } from './cdevent.ts';
import { fromHttp, toHttp } from './cloudevent.ts';

const event = buildCDEvent('dev.cdevents.taskrun.started.0.3.0', { id: 'e-1', source: 'https://kiln.example:7443', timestamp: '2024-05-01T10:00:00.123456Z' }, { id: 'ci/tr', content: { taskName: 't' } });

test('binary mode: ce-* headers from the context (subject = subject.id), application/json body = the whole CDEvent', () => {
  const m = toHttp(event, 'binary');
  assert.equal(m.headers['ce-specversion'], '1.0');
  assert.equal(m.headers['ce-id'], 'e-1');
  assert.equal(m.headers['ce-type'], 'dev.cdevents.taskrun.started.0.3.0');
  assert.equal(m.headers['ce-source'], 'https://kiln.example:7443');
  assert.equal(m.headers['ce-subject'], 'ci/tr');
  assert.ok(m.headers['ce-time']);
  assert.equal(m.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(m.body), event);
});

test('structured mode: one application/cloudevents+json body; both modes read back to the same CDEvent', () => {
  const m = toHttp(event, 'structured');
  assert.match(m.headers['content-type'], /^application\/cloudevents\+json/);
  const body = JSON.parse(m.body);
  assert.equal(body.subject, 'ci/tr');
  assert.deepEqual(body.data, event);
  for (const mode of ['binary', 'structured'] as const) {
    const back = toHttp(event, mode);
    assert.deepEqual(fromHttp(back.headers, back.body).cdevent, event, mode);
  }
});

test('fromHttp refuses what is not a CloudEvent carrying a CDEvent', () => {
  assert.throws(() => fromHttp({ 'content-type': 'application/json' }, '{}'), /not a CloudEvent/);
  assert.throws(() => fromHttp({ 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': '/s', 'ce-type': 'com.example', 'content-type': 'application/json' }, '{"a":1}'), /not a CDEvent/);
});
