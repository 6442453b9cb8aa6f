import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkResolverConfig, readResolverConfig } from './resolver-config.ts';
import { runCli, type CliDeps } from './main.ts';
import { CliError } from './exit.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-resolver-config-'));

test('a config names rewrites and hub bases; YAML and JSON alike', () => {
  const yaml = join(dir, 'c.yaml');
  writeFileSync(yaml, 'rewrites:\n  - {from: "https://github.com/", to: "git://127.0.0.1:9/"}\nhub:\n  artifact: http://127.0.0.1:8/ah\n');
  assert.deepEqual(readResolverConfig(yaml), { rewrites: [{ from: 'https://github.com/', to: 'git://127.0.0.1:9/' }], hub: { artifact: 'http://127.0.0.1:8/ah' }, bundles: [] });
  const json = join(dir, 'c.json');
  const bundles = [{ from: 'ghcr.io/o/t@sha256:' + 'a'.repeat(64), to: '127.0.0.1:5000/o/t:v1' }];
  writeFileSync(json, JSON.stringify({ hub: { tekton: 'http://127.0.0.1:8/th' }, bundles }));
  assert.deepEqual(readResolverConfig(json), { rewrites: [], hub: { tekton: 'http://127.0.0.1:8/th' }, bundles });
});

test('every problem names its field path', () => {
  const b = 'ghcr.io/o/t:v1';
  assert.deepEqual(checkResolverConfig({ rewrite: [], rewrites: [{ from: 'x' }, 'y'], bundles: [{ from: b, to: 'r/t:1' }, { from: b, to: '' , tag: 'v1' }, { from: b, to: 'r/t:2' }], hub: { artifact: 'ftp://h', oci: 'http://h' } }), {
    errors: [
      'rewrite: unknown field (rewrites, hub, bundles)',
      'rewrites[0].to: expected a non-empty string',
      'rewrites[1]: expected {from, to}',
      'bundles[1].tag: unknown field (from, to)',
      'bundles[1].to: expected a non-empty string',
      'bundles[1].from: ghcr.io/o/t:v1 is mapped already (bundles[0])',
      'bundles[2].from: ghcr.io/o/t:v1 is mapped already (bundles[0])',
      'hub.artifact: expected an http:// or https:// URL',
      'hub.oci: unknown field (artifact, tekton)',
    ],
  });
  assert.deepEqual(checkResolverConfig([1]), { errors: ['expected a mapping with rewrites, hub and/or bundles'] });
  assert.deepEqual(checkResolverConfig({ bundles: 'x' }), { errors: ['bundles: expected a list of {from, to}'] });
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'rewrites: {from: a}\n');
  assert.throws(() => readResolverConfig(bad), (e: CliError) => e.message === `--resolver-config ${bad}: invalid` && e.details[0] === 'rewrites: expected a list of {from, to}');
  assert.throws(() => readResolverConfig(join(dir, 'none.yaml')), /--resolver-config .*none\.yaml: ENOENT/);
});

/** Runs the CLI with a local kiln that records its options and goes no further. */
async function localOptions(args: string[]): Promise<{ code: number; opts?: Parameters<CliDeps['local']>[0]; err: string[] }> {
  let opts: Parameters<CliDeps['local']>[0] | undefined;
  const err: string[] = [];
  const code = await runCli(args, {
    local: async (o) => { opts = o; throw new Error('stop here'); },
    writers: { out: () => {}, err: (s) => err.push(s) },
    env: {},
  });
  return { code, opts, err };
}

test('kiln run and kiln conformance hand the hub URLs and the config\'s rewrites and bundle mappings to the local kiln', async () => {
  const run = join(dir, 'run.yaml');
  writeFileSync(run, 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskSpec:\n    steps: [{name: s, image: busybox, script: echo}]\n');
  const r = await localOptions(['run', '-f', run, '--data-dir', join(dir, 'kiln'), '--hub-artifact-url', 'http://127.0.0.1:1/ah']);
  assert.deepEqual(r.opts?.hubUrls, { artifact: 'http://127.0.0.1:1/ah' });
  const cfg = join(dir, 'remotes.yaml');
  writeFileSync(cfg, 'rewrites: [{from: "https://x/", to: "http://127.0.0.1:2/"}]\nhub: {artifact: "http://127.0.0.1:3", tekton: "http://127.0.0.1:4"}\nbundles: [{from: "ghcr.io/o/t:v1", to: "127.0.0.1:6/o/t:v1"}]\n');
  const c = await localOptions(['conformance', run, '--data-dir', join(dir, 'kiln'), '--resolver-config', cfg, '--hub-tekton-url', 'http://127.0.0.1:5']);
  assert.deepEqual(c.opts?.resolverRewrites, [{ from: 'https://x/', to: 'http://127.0.0.1:2/' }]);
  assert.deepEqual(c.opts?.bundleMappings, [{ from: 'ghcr.io/o/t:v1', to: '127.0.0.1:6/o/t:v1' }]);
  assert.deepEqual(c.opts?.hubUrls, { artifact: 'http://127.0.0.1:3', tekton: 'http://127.0.0.1:5' }, 'a flag wins over the file');
  const bad = await localOptions(['run', '-f', run, '--hub-tekton-url', 'hub.example']);
  assert.equal(bad.code, 2);
  assert.ok(bad.err.some((l) => l.includes('--hub-tekton-url hub.example: expected an http:// or https:// URL')), bad.err.join('\n'));
});
