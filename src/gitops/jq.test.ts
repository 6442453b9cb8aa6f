import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadJq } from './jq.ts';

test('loadJq: del() of jq paths, including select on list items', async () => {
  const jq = await loadJq();
  const o = { spec: { replicas: 3, containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  assert.deepEqual(jq.deletePaths(o, '.spec.replicas'), { spec: { containers: o.spec.containers } });
  assert.deepEqual(jq.deletePaths(o, '.spec.containers[] | select(.name == "a") | .image').spec, { replicas: 3, containers: [{ name: 'a' }, { name: 'b', image: 'y' }] });
  assert.deepEqual(jq.deletePaths(o, '.nothing.here'), o);
});

test('loadJq: a bad expression throws jq\'s message; the host environment is not visible', async () => {
  const jq = await loadJq();
  assert.throws(() => jq.deletePaths({}, '.spec.['), /syntax error/);
  const env = jq.deletePaths({ a: 1 }, '.a) | .env = env | del(.x').env as Record<string, string>;
  assert.notEqual(env.PATH, process.env.PATH);
  assert.notEqual(env.HOME, process.env.HOME);
});
