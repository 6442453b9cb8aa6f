import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LuaHealthError, runLuaHealth } from './lua.ts';
import { healthOf } from './health.ts';
import { parseHealthCustomizations } from './customizations.ts';

const ready = `
hs = { status = "Progressing", message = "Waiting for Ready" }
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" and c.status == "True" then
      hs.status = "Healthy"; hs.message = c.message
    elseif c.type == "Ready" and c.status == "False" then
      hs.status = "Degraded"; hs.message = c.reason .. ": " .. c.message
    end
  end
end
return hs`;

const widget = (conditions?: unknown[]) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', generation: 3 }, status: conditions ? { conditions } : undefined });

const cases: { name: string; script: string; obj: unknown; want?: { status: string; message: string }; error?: RegExp }[] = [
  { name: 'Ready=True is Healthy', script: ready, obj: widget([{ type: 'Ready', status: 'True', message: 'all good' }]), want: { status: 'Healthy', message: 'all good' } },
  { name: 'Ready=False is Degraded', script: ready, obj: widget([{ type: 'Ready', status: 'False', reason: 'Broken', message: 'disk' }]), want: { status: 'Degraded', message: 'Broken: disk' } },
  { name: 'no status is Progressing', script: ready, obj: widget(), want: { status: 'Progressing', message: 'Waiting for Ready' } },
  { name: 'integers print as integers', script: 'return { status = "Healthy", message = "gen " .. obj.metadata.generation }', obj: widget(), want: { status: 'Healthy', message: 'gen 3' } },
  { name: 'Lua 5.1 names: table.getn and unpack', script: 'local a, b = unpack({1, 2}); return { status = "Healthy", message = table.getn({1,2,3}) .. a .. b }', obj: widget(), want: { status: 'Healthy', message: '312' } },
  { name: 'no os', script: 'return { status = "Healthy", message = os.getenv("HOME") }', obj: widget(), error: /attempt to index a nil value \(global 'os'\)/ },
  { name: 'no io', script: 'io.open("/etc/passwd")', obj: widget(), error: /global 'io'/ },
  { name: 'no require', script: 'require("os")', obj: widget(), error: /global 'require'/ },
  { name: 'no load/dofile/loadfile', script: 'return dofile or loadfile or load or loadstring', obj: widget(), error: /returned no table/ },
  { name: 'no string.dump', script: 'string.dump(function() end)', obj: widget(), error: /field 'dump'/ },
  { name: 'syntax error names the script', script: 'return {', obj: widget(), error: /^my\.lua: .*expected/ },
  { name: 'runtime error', script: 'error("kaput")', obj: widget(), error: /kaput/ },
  { name: 'invalid status', script: 'return { status = "Fine" }', obj: widget(), error: /returned status "Fine", not one of/ },
  { name: 'endless loop is stopped', script: 'while true do end', obj: widget(), error: /stopped: ran more than 100000 instructions/ },
  { name: 'pcall cannot swallow the stop', script: 'while true do pcall(function() while true do end end) end', obj: widget(), error: /stopped: ran more than 100000 instructions/ },
];

for (const c of cases) {
  test(`lua: ${c.name}`, () => {
    const run = () => runLuaHealth(c.script, c.obj, 'my.lua', { maxInstructions: 100_000 });
    if (c.error) assert.throws(run, (e: Error) => e instanceof LuaHealthError && c.error!.test(e.message));
    else assert.deepEqual(run(), c.want);
  });
}

test('lua: the wall-clock budget stops a script (clock injected)', () => {
  let t = 0;
  assert.throws(() => runLuaHealth('while true do end', {}, 'slow.lua', { timeoutMs: 50, now: () => (t += 10) }), /slow\.lua: stopped: ran longer than 50 ms/);
});

test('lua: one check cannot leave globals for the next', () => {
  runLuaHealth('leak = "x"; return { status = "Healthy" }', {});
  assert.deepEqual(runLuaHealth('return { status = "Healthy", message = tostring(leak) }', {}), { status: 'Healthy', message: 'nil' });
});

test('healthOf: a customization wins over the built-in check; a failing one is Unknown naming its key', () => {
  const { checks } = parseHealthCustomizations({
    'resource.customizations.health.apps_Deployment': 'return { status = "Degraded", message = "custom" }',
    'resource.customizations.health.example.com_*': 'while true do end',
  });
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { paused: true } };
  assert.deepEqual(healthOf(deployment, { customizations: checks }), { status: 'Degraded', message: 'custom' });
  const h = healthOf(widget(), { customizations: checks, lua: { maxInstructions: 10_000 } });
  assert.equal(h?.status, 'Unknown');
  assert.match(h?.message ?? '', /resource\.customizations\.health\.example\.com_\* failed: .*stopped: ran more than 10000 instructions/);
});

// The project's own CronJob script, run against Argo CD's CronJob fixtures: same status and message as the built-in check.
const FIXTURES = join(import.meta.dirname, '../../../../shared/conformance/gitops/health/argo-cd/resource_customizations/batch/CronJob/testdata');
test('lua: a CronJob script written here agrees with the built-in check on the fixtures', { skip: existsSync(FIXTURES) ? false : `${FIXTURES} not present` }, () => {
  const script = readFileSync(join(import.meta.dirname, 'testdata/cronjob.lua'), 'utf8');
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 6);
  for (const f of files) {
    const obj = parse(readFileSync(join(FIXTURES, f), 'utf8'));
    assert.deepEqual(runLuaHealth(script, obj, 'cronjob.lua'), healthOf(obj), f);
  }
});
