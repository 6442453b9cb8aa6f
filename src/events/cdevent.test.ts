import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCDEvent, parseCDEvent, stableId } from './cdevent.ts';
import { cdeventSchemas, conformanceExamples } from './schemas.testing.ts';

const schemas = cdeventSchemas();
const skip = schemas ? false : 'no ../shared/cdevents here (CDEvents schemas and conformance examples)';

test('every conformance example of the spec is schema-valid and round-trips through parseCDEvent + buildCDEvent', { skip }, () => {
  const examples = conformanceExamples();
  assert.equal(examples.size, 45);
  for (const [file, example] of examples) {
    assert.deepEqual(schemas!.errors(example), [], file);
    const p = parseCDEvent(example);
    const rebuilt = buildCDEvent(p.type, p.meta, p.subject, p.custom);
    assert.deepEqual(rebuilt, example, file);
    assert.deepEqual(schemas!.errors(rebuilt), [], file);
  }
});

test('the validator refuses what the schemas refuse (so the tests using it can fail)', { skip }, () => {
  const ok = buildCDEvent('dev.cdevents.pipelinerun.started.0.3.0', { id: 'a', source: '/kiln', timestamp: '2024-01-01T00:00:00Z' }, { id: 'ns/pr', content: { pipelineName: 'p', uri: 'https://x.example/pr' } });
  assert.deepEqual(schemas!.errors(ok), []);
  const cases = [
    { name: 'missing required content field', event: { ...ok, subject: { id: 'ns/pr', content: { pipelineName: 'p' } } } },
    { name: 'unknown content field', event: { ...ok, subject: { id: 'ns/pr', content: { pipelineName: 'p', uri: 'https://x', url: 'https://x' } } } },
    { name: 'bad timestamp', event: { ...ok, context: { ...ok.context, timestamp: 'yesterday' } } },
    { name: 'unknown type', event: { ...ok, context: { ...ok.context, type: 'dev.cdevents.pipelinerun.started.9.9.9' } } },
  ];
  for (const c of cases) assert.notDeepEqual(schemas!.errors(c.event), [], c.name);
});

test('parseCDEvent names the missing field', () => {
  assert.throws(() => parseCDEvent({}), /context: missing/);
  assert.throws(() => parseCDEvent({ context: { specversion: '0.5.1', id: 'x', source: '/s', type: 't' } }), /context\.timestamp/);
  assert.throws(() => parseCDEvent({ context: { specversion: '0.5.1', id: 'x', source: '/s', type: 't', timestamp: 'z' } }), /subject\.id/);
});

test('stableId: same cause, same UUID-shaped id; another cause, another id', () => {
  const a = stableId('uid-1', 'dev.cdevents.taskrun.started.0.3.0', '0');
  assert.equal(a, stableId('uid-1', 'dev.cdevents.taskrun.started.0.3.0', '0'));
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, stableId('uid-1', 'dev.cdevents.taskrun.started.0.3.0', '1'));
  assert.notEqual(stableId('a', 'bc'), stableId('ab', 'c'));
});
